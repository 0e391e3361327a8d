/**
 * The collector on its schedule, plus what the rest of edged asks of it: run now (prune-images),
 * status (GET /images/gc, `iotedge system status`) and the last run (reported state). The last
 * run is kept in <home>/gc/last-run.json so that it survives a restart.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import type { ImageCollector, RunOptions } from './collector';
import type { GcReport, GcStatus } from '../api/management/wire';
import { firstRunAt, nextRunAfter, systemUtcOffset, type UtcOffset } from './schedule';
import { formatCleanupTime, formatDuration, type GcSettings } from '../config/image-gc';
import type { ImageUseTracker } from './tracker';


/** What edged's other parts see of the collector (the management API, the agent's reported state). */
export interface ImageGcHandle {
  tracker: ImageUseTracker;
  run(options?: { dryRun?: boolean }): Promise<GcReport>;
  status(): Promise<GcStatus>;
  /** The last real run, or undefined before the first one. */
  lastRun(): GcReport | undefined;
  /** A small object for the agent's reported state (merge it as a top-level property). */
  reportedState(): { imageGarbageCollection: GcReportedState };
}

export interface GcReportedState {
  enabled: boolean;
  nextRunAt?: string;
  lastRun?: { at: string; removedImages: string[]; bytesFreed: number; skipped: number; error?: string };
}

export function lastRunFile(home: string): string {
  return path.join(home, 'gc', 'last-run.json');
}

export interface ServiceDeps {
  collector: Pick<ImageCollector, 'run'>;
  tracker: ImageUseTracker;
  settings: GcSettings;
  clock: Clock;
  logger: Logger;
  home: string;
  /** Local time's offset from UTC; the system's by default. */
  utcOffset?: UtcOffset;
  /** Called after each real run, once its report is saved (e.g. to push the reported state). */
  onReport?: (report: GcReport) => void;
}

export class ImageGcService implements ImageGcHandle {
  readonly tracker: ImageUseTracker;
  private last: GcReport | undefined;
  private nextAt: number | undefined;
  private runs = 0;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;

  constructor(private readonly deps: ServiceDeps) {
    this.tracker = deps.tracker;
  }

  /** Loads the last run and starts the schedule (when enabled); returns at once. */
  async start(): Promise<void> {
    this.last = await readLastRun(lastRunFile(this.deps.home));
    const { settings, logger } = this.deps;
    if (!settings.enabled) {
      logger.info('image garbage collection is disabled ([image_garbage_collection] enabled = false)');
      return;
    }
    this.abort = new AbortController();
    this.loop = this.schedule(this.abort.signal);
  }

  async stop(): Promise<void> {
    this.abort?.abort(new Error('stopping'));
    await this.loop;
    this.loop = undefined;
  }

  async run(options: { dryRun?: boolean } = {}): Promise<GcReport> {
    return this.runWith({ dryRun: options.dryRun ?? false, trigger: 'manual' });
  }

  lastRun(): GcReport | undefined {
    return this.last;
  }

  reportedState(): { imageGarbageCollection: GcReportedState } {
    const l = this.last;
    return {
      imageGarbageCollection: {
        enabled: this.deps.settings.enabled,
        ...(this.nextAt === undefined ? {} : { nextRunAt: new Date(this.nextAt).toISOString() }),
        ...(l
          ? {
              lastRun: {
                at: l.finishedAt,
                removedImages: l.removed.map((i) => i.tags[0] ?? i.id),
                bytesFreed: l.bytesFreed,
                skipped: l.skipped.length,
                ...(l.error ? { error: l.error } : {}),
              },
            }
          : {}),
      },
    };
  }

  async status(): Promise<GcStatus> {
    const s = this.deps.settings;
    return {
      enabled: s.enabled,
      settings: {
        cleanup_recurrence: formatDuration(s.recurrenceMs),
        image_age_cleanup_threshold: formatDuration(s.thresholdMs),
        cleanup_time: formatCleanupTime(s.cleanupMinutes),
        startup_delay: formatDuration(s.startupDelayMs),
      },
      trackedImages: (await this.tracker.snapshot()).length,
      running: this.runs > 0,
      ...(this.nextAt === undefined ? {} : { nextRunAt: new Date(this.nextAt).toISOString() }),
      ...(this.last ? { lastRun: this.last } : {}),
    };
  }

  private async schedule(signal: AbortSignal): Promise<void> {
    const { clock, settings, logger } = this.deps;
    const offset = this.deps.utcOffset ?? systemUtcOffset;
    let next = firstRunAt(clock.now(), settings, offset);
    for (;;) {
      this.nextAt = next;
      logger.info(`next image garbage collection at ${new Date(next).toISOString()}`);
      try {
        await clock.sleep(Math.max(0, next - clock.now()), signal);
      } catch {
        return; // stopped
      }
      await this.runWith({ trigger: 'schedule' }).catch((e) =>
        logger.error(`image garbage collection failed: ${e instanceof Error ? e.message : String(e)}`),
      );
      if (signal.aborted) return;
      next = nextRunAfter(next, clock.now(), settings, offset);
    }
  }

  private async runWith(options: RunOptions): Promise<GcReport> {
    this.runs++;
    try {
      const report = await this.deps.collector.run(options);
      if (!report.dryRun) {
        this.last = report;
        await writeFileAtomic(lastRunFile(this.deps.home), JSON.stringify(report, null, 2) + '\n', { mode: 0o644 }).catch((e) =>
          this.deps.logger.warn(`could not save the image garbage collection report: ${(e as Error).message}`),
        );
        this.deps.onReport?.(report);
      }
      return report;
    } finally {
      this.runs--;
    }
  }
}

async function readLastRun(file: string): Promise<GcReport | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as GcReport;
  } catch {
    return undefined;
  }
}
