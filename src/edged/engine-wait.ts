/** Waits for the Docker engine to answer, retrying with a bounded backoff; never gives up on its own. */
import type Docker from 'dockerode';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';

export interface EngineWaitOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export async function waitForEngine(
  docker: Pick<Docker, 'ping'>,
  endpoint: string,
  deps: { clock: Clock; logger: Logger; signal: AbortSignal },
  options: EngineWaitOptions = {},
): Promise<void> {
  let delay = options.initialDelayMs ?? 1000;
  const max = options.maxDelayMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    deps.signal.throwIfAborted();
    try {
      await docker.ping();
      if (attempt > 1) deps.logger.info(`Docker engine at ${endpoint} answers after ${attempt} attempts`);
      return;
    } catch (e) {
      deps.signal.throwIfAborted();
      const reason = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      deps.logger.warn(`Docker engine not reachable at ${endpoint} (${reason}); retrying in ${Math.round(delay / 1000)} s`);
    }
    await deps.clock.sleep(delay, deps.signal);
    delay = Math.min(delay * 2, max);
  }
}
