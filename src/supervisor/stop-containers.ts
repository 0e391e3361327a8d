/**
 * The engine runs with live-restore, so its containers survive a crash of dockerd. A requested
 * stop of the service must not leave them behind: stop them all (in parallel, docker's own
 * stop timeout) before dockerd gets SIGTERM.
 */
import type { Logger } from '../util/log';
import { unixRequest } from './probes';

const LIST_TIMEOUT_MS = 5000;
const STOP_TIMEOUT_SEC = 10;
/** The longest stopAllContainers takes with its defaults (listing, then the parallel stops). */
export const STOP_CONTAINERS_BOUND_MS = LIST_TIMEOUT_MS + (STOP_TIMEOUT_SEC + 10) * 1000;

export async function stopAllContainers(socketPath: string, logger: Logger, stopTimeoutSec = STOP_TIMEOUT_SEC): Promise<void> {
  const list = await unixRequest(socketPath, 'GET', '/containers/json', LIST_TIMEOUT_MS);
  if (list.status !== 200) throw new Error(`listing containers answered ${list.status}`);
  const ids = (JSON.parse(list.body) as { Id: string }[]).map((c) => c.Id);
  if (ids.length === 0) return;
  logger.info(`stopping ${ids.length} container(s) before the engine`);
  await Promise.all(
    ids.map((id) =>
      unixRequest(socketPath, 'POST', `/containers/${id}/stop?t=${stopTimeoutSec}`, (stopTimeoutSec + 10) * 1000).catch((e: Error) =>
        logger.warn(`cannot stop container ${id.slice(0, 12)}: ${e.message}`),
      ),
    ),
  );
}
