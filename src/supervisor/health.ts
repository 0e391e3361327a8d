/** The snap's health as `snap info`/`snap list` show it; repeated identical reports are dropped. */
import type { HealthStatus, Snapctl } from '../snap/snapctl';
import type { Logger } from '../util/log';

export interface HealthReport {
  status: HealthStatus;
  message?: string;
  code?: string;
}

export interface Health {
  report(h: HealthReport): Promise<void>;
}

/**
 * Two services share one health: a report identical to our last one is dropped only for
 * `refreshMs`, so a state the other service overwrote is restored on the next probe.
 */
export function snapHealth(snapctl: Snapctl, logger: Logger, now: () => number = Date.now, refreshMs = 60_000): Health {
  let last = '';
  let at = 0;
  return {
    async report(h) {
      const key = JSON.stringify(h);
      if (key === last && now() - at < refreshMs) return;
      try {
        await snapctl.setHealth(h.status, h.message, h.code);
        last = key;
        at = now();
      } catch (e) {
        logger.warn(`cannot set the snap's health: ${(e as Error).message}`);
      }
    },
  };
}

/** Outside a snap (tests, `make run`): remember, print nothing. */
export function memoryHealth(): Health & { reports: HealthReport[] } {
  const reports: HealthReport[] = [];
  return { reports, report: async (h) => void reports.push(h) };
}
