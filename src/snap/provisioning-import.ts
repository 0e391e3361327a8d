/**
 * The provisioning file an image leaves at $SNAP_COMMON/provisioning.json (format:
 * src/config/provisioning-file.ts), imported once at install, configure and service start:
 * claimed by an atomic rename (two services starting at once import it once), checked whole by
 * the configure hook's own validation (a dry run, nothing written), then its files written 0600,
 * its options applied as `snap set` would apply them, the import recorded, the secret file
 * removed. A bad file is put back untouched, nothing else changes, and the health names it. An
 * import killed half-way is finished by the next one (recoverAbandoned).
 */
import { createHash } from 'node:crypto';
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { MAX_PROVISIONING_BYTES, PROVISIONED_DIR, PROVISIONING_FILE, parseProvisioningFile } from '../config/provisioning-file';
import { EdgeError, formatError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import { OptionError, ServicesError } from './errors';
import type { HookDeps } from './hooks/deps';
import type { SnapPaths } from './paths';
import type { ConfigureInput } from './hooks/configure';

export type ConfigureFn = (d: HookDeps, input?: ConfigureInput) => Promise<void>;
export type ImportOutcome = 'none' | 'imported' | 'rejected';

/** Options worth keeping in snapd after the import (the secret ones are consumed into config.toml). */
const KEPT = ['hostname', 'log-level', 'deployment-file'];

export function provisioningPaths(paths: SnapPaths) {
  return {
    file: path.join(paths.common, PROVISIONING_FILE),
    dir: path.join(paths.common, PROVISIONED_DIR),
    record: path.join(paths.common, 'etc', 'aziot', 'provisioning-imported.json'),
    /** Read by the services' health board: a rejected file is the snap's health until fixed. */
    error: paths.provisioningError,
  };
}

const CLAIM = new RegExp(`^\\.${PROVISIONING_FILE.replace(/\./g, '\\.')}\\.(\\d+)\\.(importing|deployment)$`);

/**
 * What an import killed half-way left (its process is gone): its claimed file goes back in place,
 * unless a newer file is there already, so the next import makes it; its staged copy is removed.
 */
export async function recoverAbandoned(d: HookDeps, alive: (pid: number) => boolean = pidAlive): Promise<void> {
  const p = provisioningPaths(d.paths);
  const names = await fs.readdir(d.paths.common).catch(() => [] as string[]);
  for (const name of names) {
    const m = CLAIM.exec(name);
    if (!m || alive(Number(m[1]))) continue;
    const left = path.join(d.paths.common, name);
    if (m[2] === 'importing' && !(await exists(p.file))) {
      await fs.rename(left, p.file);
      d.logger.warn(`an import of the provisioning file was interrupted (process ${m[1]}): the file is back in place and imported now`);
    } else {
      await fs.rm(left, { force: true });
    }
  }
}

// /proc/<pid> and not kill(pid, 0): a signal to another app of the snap is an AppArmor denial.
const pidAlive = (pid: number) => pid === process.pid || existsSync(`/proc/${pid}`);
const exists = (file: string) => fs.lstat(file).then(() => true, () => false);

export async function importProvisioning(d: HookDeps, configure: ConfigureFn): Promise<ImportOutcome> {
  const p = provisioningPaths(d.paths);
  await recoverAbandoned(d);
  const claimed = path.join(d.paths.common, `.${PROVISIONING_FILE}.${process.pid}.importing`);
  try {
    await fs.rename(p.file, claimed);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'none';
    throw e;
  }
  try {
    const stat = await fs.lstat(claimed);
    if (!stat.isFile()) throw new OptionError('it is not a regular file');
    if (stat.size > MAX_PROVISIONING_BYTES) throw new OptionError(`it is larger than ${MAX_PROVISIONING_BYTES} bytes`);
    const text = await fs.readFile(claimed, 'utf8');
    const file = parseProvisioningFile(text);
    const overlay = new Map<string, unknown>(Object.entries(file.options));
    const deploymentFile = path.join(p.dir, 'deployment.json');
    const deployment = file.deployment ? `${JSON.stringify(file.deployment, null, 2)}\n` : undefined;
    if (deployment !== undefined) {
      // The dry run reads the deployment through deployment-file: give it a copy no one else reads.
      const staged = path.join(d.paths.common, `.${PROVISIONING_FILE}.${process.pid}.deployment`);
      await writeFileAtomic(staged, deployment, { mode: 0o600 });
      try {
        await configure(d, { overlay: new Map([...overlay, ['deployment-file', staged]]), dryRun: true });
      } finally {
        await fs.rm(staged, { force: true });
      }
    } else {
      await configure(d, { overlay, dryRun: true });
    }
    // Everything is valid: act.
    for (const [name, content] of Object.entries(file.files)) await writeFileAtomic(path.join(p.dir, name), content, { mode: 0o600 });
    if (deployment !== undefined) {
      await writeFileAtomic(deploymentFile, deployment, { mode: 0o600 });
      overlay.set('deployment-file', deploymentFile);
    }
    const kept = Object.fromEntries([...overlay].filter(([k]) => KEPT.includes(k)).map(([k, v]) => [k, String(v)]));
    if (Object.keys(kept).length) await d.snapctl.set(kept);
    // From here the secret is in config.toml: a service snapd did not start in time is said, and
    // the import stands (the next configure or connect brings the services up).
    const lagging = await configure(d, { overlay }).then(
      () => undefined,
      (e: unknown) => {
        if (e instanceof ServicesError) return e;
        throw e;
      },
    );
    await writeFileAtomic(
      p.record,
      `${JSON.stringify({ imported: new Date().toISOString(), sha256: createHash('sha256').update(text).digest('hex'), options: [...overlay.keys()].sort(), files: Object.keys(file.files).sort() }, null, 2)}\n`,
      { mode: 0o600 },
    );
    await fs.rm(p.error, { force: true });
    await fs.rm(claimed, { force: true });
    d.logger.info(`imported the provisioning file (${[...overlay.keys()].sort().join(', ')}) and removed it`);
    if (lagging) d.logger.warn(`after the import: ${lagging.message}`);
    return 'imported';
  } catch (e) {
    await fs.rename(claimed, p.file).catch(() => undefined);
    const problem = formatError(e).split('\n')[0];
    const message = `provisioning file ${p.file} refused: ${problem}`;
    d.logger.warn(message);
    await writeFileAtomic(p.error, `${JSON.stringify({ status: 'error', message, code: 'provisioning-file' })}\n`, { mode: 0o644 });
    // snapd keeps 70 characters of a health message: the file's name first, the whole line in the log.
    await d.snapctl.setHealth('error', `${PROVISIONING_FILE} refused: ${problem}`, 'provisioning-file').catch(() => undefined);
    if (!(e instanceof EdgeError)) d.logger.warn(`provisioning import: ${(e as Error).message}`);
    return 'rejected';
  }
}
