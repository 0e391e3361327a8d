/**
 * The engine runs with live-restore, so its containers survive a crash of dockerd. A requested
 * stop of the service must not leave them behind: stop them all (in parallel, each with its own
 * stop timeout: a module's StopTimeout, else docker's 10 s) before dockerd gets SIGTERM, so a
 * shutdown takes what the modules' stop takes.
 */
import type { Logger } from '../util/log';
import { unixRequest } from './probes';

const LIST_TIMEOUT_MS = 5000;
/** A module whose StopTimeout is longer is killed by systemd at the service's stop-timeout. */
const STOP_REQUEST_BOUND_MS = 40_000;
/** The longest stopAllContainers takes (listing, then the parallel stops). */
export const STOP_CONTAINERS_BOUND_MS = LIST_TIMEOUT_MS + STOP_REQUEST_BOUND_MS;

export async function stopAllContainers(socketPath: string, logger: Logger): Promise<void> {
  const list = await unixRequest(socketPath, 'GET', '/containers/json', LIST_TIMEOUT_MS);
  if (list.status !== 200) throw new Error(`listing containers answered ${list.status}`);
  const ids = (JSON.parse(list.body) as { Id: string }[]).map((c) => c.Id);
  if (ids.length === 0) return;
  logger.info(`stopping ${ids.length} container(s) before the engine`);
  await Promise.all(
    ids.map((id) =>
      unixRequest(socketPath, 'POST', `/containers/${id}/stop`, STOP_REQUEST_BOUND_MS).catch((e: Error) =>
        logger.warn(`cannot stop container ${id.slice(0, 12)}: ${e.message}`),
      ),
    ),
  );
}
