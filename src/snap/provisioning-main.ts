/**
 * The provisioning import at service start (`bin/snap-service` calls it before the supervisor):
 * a file cloud-init wrote after the install hook ran is imported when the engine's service
 * starts. Only the dockerd service imports (iotedged starts after it, and the import may start or
 * restart iotedged, never dockerd itself); no file: nothing is loaded, nothing is asked of snapd.
 */
import { existsSync, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PROVISIONING_FILE } from '../config/provisioning-file';
import { createLogger } from '../util/log';
import { systemSnapctl } from './exec';
import type { HookDeps } from './hooks/deps';
import { snapName, snapPathsFromEnv } from './paths';
import type { ImportOutcome } from './provisioning-import';
import { Snapctl } from './snapctl';

export async function importAtServiceStart(service: string | undefined, deps?: HookDeps): Promise<ImportOutcome> {
  if (service !== 'dockerd') return 'none';
  const common = deps?.paths.common ?? process.env.SNAP_COMMON ?? '';
  if (!common || !leftForImport(common)) return 'none';
  const logger = deps?.logger ?? createLogger({ component: 'provisioning' });
  try {
    const d: HookDeps = deps ?? { snapctl: new Snapctl(systemSnapctl(undefined, 30_000)), paths: snapPathsFromEnv(), snapName: snapName(), logger, hostname: os.hostname() };
    // Loaded only now: the configure hook's code (TOML, the config schema, the agent's manifest
    // parser) would otherwise stay in the memory of a service that almost never imports anything.
    const [{ importProvisioning }, { configure }] = await Promise.all([import('./provisioning-import'), import('./hooks/configure')]);
    return await importProvisioning(d, configure);
  } catch (e) {
    // The engine starts whatever happened here: the import is retried at the next start or configure.
    logger.warn(`provisioning import at start: ${(e as Error).message}`);
    return 'rejected';
  }
}

/** The file, or what an import killed half-way left of it (provisioning-import.ts recovers it). */
function leftForImport(common: string): boolean {
  if (existsSync(path.join(common, PROVISIONING_FILE))) return true;
  try {
    return readdirSync(common).some((n) => n.startsWith(`.${PROVISIONING_FILE}.`) && n.endsWith('.importing'));
  } catch {
    return false;
  }
}
