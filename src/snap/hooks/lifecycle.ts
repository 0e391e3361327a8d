/** install, post-refresh, connect/disconnect and remove: directories, defaults, and the service plan. */
import { writeFileAtomic } from '../../util/atomic-write';
import { type RunCommand, runCommand } from '../engine/bridge';
import { BRIDGE_NAME, defaultDaemonJson } from '../engine/settings';
import { convergeServices } from '../converge';
import { defaultConfigDoc, renderConfig } from '../render-config';
import type { HookDeps } from './deps';
import { configure } from './configure';
import { importProvisioning } from '../provisioning-import';
import { configHasWork, makeDirs, readIfExists } from './state';

/** Directories and default files; existing files (a refresh, a reinstall) are kept as they are. */
async function ensureDefaults(d: HookDeps): Promise<void> {
  await makeDirs(d.paths);
  if ((await readIfExists(d.paths.configFile)) === undefined) {
    const text = renderConfig({ base: defaultConfigDoc(d.hostname), options: { config: [] }, paths: d.paths, deployment: false });
    await writeFileAtomic(d.paths.configFile, text, { mode: 0o600 });
  }
  if ((await readIfExists(d.paths.daemonJson)) === undefined) {
    await writeFileAtomic(d.paths.daemonJson, JSON.stringify(defaultDaemonJson(), null, 2) + '\n', { mode: 0o644 });
  }
}

async function reconcile(d: HookDeps, override?: { plug: string; connected: boolean }): Promise<void> {
  await convergeServices(d, { hasWork: await configHasWork(d.paths), override });
}

export async function install(d: HookDeps): Promise<void> {
  await ensureDefaults(d);
  await importProvisioning(d, configure);
  await reconcile(d);
}

/** Config, deployment and the engine's data-root (so the modules' images) are all kept. */
export async function postRefresh(d: HookDeps): Promise<void> {
  await ensureDefaults(d);
  await reconcile(d);
}

export async function plugChanged(d: HookDeps, plug: string, connected: boolean): Promise<void> {
  await reconcile(d, { plug, connected });
}

/** snapd has stopped the services; remove the host-visible bridge the engine's supervisor created. */
export async function remove(d: HookDeps, run: RunCommand = runCommand): Promise<void> {
  const res = await run('ip', ['link', 'delete', 'dev', BRIDGE_NAME]);
  if (res.code === 0) d.logger.info(`removed the bridge ${BRIDGE_NAME}`);
}
