/**
 * Follows the engine's event stream (exits are seen here, never by polling). When the stream
 * ends or fails (dockerd restarted), it reconnects with a bounded backoff and asks for a full
 * reconciliation, since events may have been missed meanwhile.
 */
import type { ModuleRuntime, RuntimeEvent } from '../runtime/types';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';

export interface EventWatcherOptions {
  runtime: ModuleRuntime;
  clock: Clock;
  logger: Logger;
  onEvent: (event: RuntimeEvent) => void;
  /** Called after a reconnect: resynchronise everything. */
  onReconnect: () => void;
  /** Called each time the stream fails or ends (the engine went away). */
  onDown?: () => void;
  minRetryMs?: number;
  maxRetryMs?: number;
}

export async function watchEvents(options: EventWatcherOptions, signal: AbortSignal): Promise<void> {
  const min = options.minRetryMs ?? 500;
  const max = options.maxRetryMs ?? 30_000;
  let delay = min;
  let reconnecting = false;
  while (!signal.aborted) {
    try {
      for await (const event of options.runtime.events(signal)) {
        if (reconnecting) {
          reconnecting = false;
          options.logger.info('Docker event stream is back');
        }
        delay = min;
        options.onEvent(event);
      }
      if (signal.aborted) return;
      options.logger.warn('Docker event stream ended; reconnecting');
    } catch (e) {
      if (signal.aborted) return;
      options.logger.warn(`Docker event stream failed (${e instanceof Error ? e.message : String(e)}); reconnecting`);
    }
    options.onDown?.();
    reconnecting = true;
    try {
      await options.clock.sleep(delay, signal);
    } catch {
      return;
    }
    delay = Math.min(delay * 2, max);
    options.onReconnect();
  }
}
