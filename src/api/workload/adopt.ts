/**
 * What edged does, at start, with the modules already there: each gets its socket directory
 * served again, and a running container sees the new sockets through its bound directory, so it
 * is left as it is. A container created before edged bound directories binds its socket FILE,
 * whose inode died with the previous edged: that file is served again and the module restarted
 * once (edgeAgent, whose spec is edged's, is removed for the watchdog to recreate it with its
 * directory). Directories of modules removed while edged was down are removed.
 */
import type { Module, ModuleRuntime } from '../../runtime/types';
import type { Logger } from '../../util/log';
import { hasSocketFileBind } from './binds';
import { moduleSocketFile, WorkloadSockets } from './sockets';

export interface AdoptionDeps {
  /** The bare runtime (no socket hooks): adoption must not remove or recreate directories. */
  runtime: Pick<ModuleRuntime, 'list' | 'remove' | 'restart'>;
  sockets: Pick<WorkloadSockets, 'prune' | 'ensure' | 'layoutOf' | 'root' | 'serveSocketFile'>;
  /** A container's inspected mounts. */
  containerMounts(name: string): Promise<{ Source?: string; Type?: string }[]>;
  /** edgeAgent's container name when edged supervises it (cloud mode). */
  agentName?: string;
  logger: Logger;
}

export async function adoptModules(deps: AdoptionDeps): Promise<void> {
  const modules = await deps.runtime.list();
  await deps.sockets.prune(modules.map((m) => m.name));
  for (const m of modules) {
    await deps.sockets.ensure(m.name);
    await adoptSocketFileBind(m, deps);
  }
}

async function adoptSocketFileBind(m: Module, { runtime, sockets, containerMounts, agentName, logger: log }: AdoptionDeps): Promise<void> {
  const mounts = await containerMounts(m.name).catch((e: Error) => {
    log.warn(`could not inspect the mounts of ${m.name}: ${e.message}`);
    return [];
  });
  if (!hasSocketFileBind(mounts, (await sockets.layoutOf(m.name)).fileSources)) return;
  const file = moduleSocketFile(await sockets.root(), m.name);
  if (m.name === agentName) {
    log.info(`Recreating ${m.name}: it binds its sockets as files (${file}), which die each time edged restarts; the new one binds its socket directory`);
    await runtime.remove(m.name).catch((e: Error) => log.warn(`could not remove ${m.name}: ${e.message}`));
    return;
  }
  await sockets.serveSocketFile(m.name);
  if (m.state.status !== 'running') return;
  log.info(
    `Restarting module ${m.name}: its container binds its workload socket as a file (${file}, made before edged bound socket directories), ` +
      'and only a restart shows it the socket edged recreated; a module created again (remove it, its deployment recreates it) binds its directory and needs no restart',
  );
  await runtime.restart(m.name).catch((e: Error) => log.warn(`could not restart ${m.name}: ${e.message}`));
}
