/** The snap's health as `snap info`/`snap list` show it; repeated identical reports are dropped. */
import { promises as fs } from 'node:fs';
import type { HealthStatus, Snapctl } from '../snap/snapctl';
import type { Logger } from '../util/log';
import { writeFileAtomic } from '../util/atomic-write';

export interface HealthReport {
  status: HealthStatus;
  message?: string;
  code?: string;
}

export interface Health {
  report(h: HealthReport): Promise<void>;
}

/**
 * Who set the snap's health last, shared by the two services (separate processes): a service
 * may skip a report only if it was itself the last to set exactly that.
 */
export interface LastWriter {
  read(): Promise<string | undefined>;
  write(key: string): Promise<void>;
}

export function fileLastWriter(file: string): LastWriter {
  return {
    read: () => fs.readFile(file, 'utf8').catch(() => undefined),
    write: (key) => writeFileAtomic(file, key, { mode: 0o600 }).catch(() => undefined),
  };
}

export function memoryLastWriter(): LastWriter {
  let last: string | undefined;
  return { read: async () => last, write: async (k) => void (last = k) };
}

export interface SnapHealthOptions {
  /** This service's name: its reports are skipped only while it is the last writer. */
  owner?: string;
  lastWriter?: LastWriter;
  now?: () => number;
  /** Even then, repeat a report this often (a lost write, a snapd restart). */
  refreshMs?: number;
}

/**
 * Two services share one health. The latest report wins: a report identical to what this
 * service last set is dropped only while nobody else has set the health since (so iotedged's
 * "okay" replaces dockerd's "engine restarted" on its next probe), and at most for refreshMs.
 */
export function snapHealth(snapctl: Snapctl, logger: Logger, o: SnapHealthOptions = {}): Health {
  const owner = o.owner ?? 'supervisor';
  const lastWriter = o.lastWriter ?? memoryLastWriter();
  const now = o.now ?? Date.now;
  const refreshMs = o.refreshMs ?? 60_000;
  let at = 0;
  return {
    async report(h) {
      const key = `${owner} ${JSON.stringify(h)}`;
      if ((await lastWriter.read()) === key && now() - at < refreshMs) return;
      try {
        await snapctl.setHealth(h.status, h.message, h.code);
        at = now();
        await lastWriter.write(key);
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
