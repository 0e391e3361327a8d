/** The snap's health as `snap info`/`snap list` show it; repeated identical reports are dropped. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Snapctl } from '../snap/snapctl';
import type { Logger } from '../util/log';
import { writeFileAtomic } from '../util/atomic-write';
import { type HealthReport, composeHealth } from './health-compose';

export type { HealthReport };

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
        // The journal keeps the health over time (snapd keeps only the latest).
        if ((await lastWriter.read())?.slice(owner.length + 1) !== JSON.stringify(h)) {
          logger.info(`snap health: ${h.status}${h.code ? ` [${h.code}]` : ''}${h.message ? `: ${h.message}` : ''}`);
        }
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

export interface HealthBoardOptions {
  /** This service: its state is dir/<owner>.json. */
  owner: 'dockerd' | 'iotedged';
  dir: string;
  /** Where the composed health goes (snapHealth: drops what is already set). */
  sink: Health;
  /** edged's reported-state.json: the deployment and the modules. */
  reportedStateFile: string;
  /** A refused provisioning file's report (SnapPaths.provisioningError). */
  provisioningErrorFile?: string;
  /** This boot's id: a state left by a service before a reboot or power loss is not believed. */
  bootId?: () => Promise<string>;
  logger?: Logger;
}

export interface HealthBoard extends Health {
  /** A planned stop: this service has nothing to say any more (the hooks' health stands). */
  clear(): Promise<void>;
}

const readJson = (file: string): Promise<unknown> =>
  fs.readFile(file, 'utf8').then(
    (t) => JSON.parse(t) as unknown,
    () => undefined,
  );

export const procBootId = (): Promise<string> => fs.readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((s) => s.trim(), () => '');

/**
 * Each service reports its own state to the board (a file per service); every report composes
 * the snap's health from both states and the modules' reported state (health-compose.ts).
 */
export function healthBoard(o: HealthBoardOptions): HealthBoard {
  const bootId = o.bootId ?? procBootId;
  const own = path.join(o.dir, `${o.owner}.json`);
  let recorded = '';
  const stateOf = async (service: string, boot: string): Promise<HealthReport | undefined> => {
    const s = (await readJson(path.join(o.dir, `${service}.json`))) as (HealthReport & { boot?: string }) | undefined;
    if (!s || typeof s.status !== 'string' || s.boot !== boot) return undefined;
    return { status: s.status, ...(s.message ? { message: s.message } : {}), ...(s.code ? { code: s.code } : {}) };
  };
  // One report at a time, in order: a late snapctl call must not put back an older health.
  let queue: Promise<void> = Promise.resolve();
  let cleared = false;
  const compose = async (h: HealthReport): Promise<void> => {
    if (cleared) return;
    try {
      const boot = await bootId();
      const text = JSON.stringify({ ...h, boot });
      if (text !== recorded) {
        await fs.mkdir(o.dir, { recursive: true, mode: 0o755 });
        await writeFileAtomic(own, text + '\n', { mode: 0o644 });
        recorded = text;
      }
      const composed = composeHealth({
        dockerd: await stateOf('dockerd', boot),
        iotedged: await stateOf('iotedged', boot),
        reported: await readJson(o.reportedStateFile),
        provisioning: o.provisioningErrorFile ? await readJson(o.provisioningErrorFile) : undefined,
      });
      if (composed) await o.sink.report(composed);
    } catch (e) {
      o.logger?.warn(`cannot compose the snap's health: ${(e as Error).message}`);
    }
  };
  return {
    report(h) {
      queue = queue.then(() => compose(h));
      return queue;
    },
    // Not behind the queue: at shutdown snapd may be gone, and a snapctl call would hold the stop.
    async clear() {
      cleared = true;
      await fs.rm(own, { force: true });
    },
  };
}
