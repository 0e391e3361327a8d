/**
 * One collection: gather the facts, plan, act, report. The whole run holds the deployment lock,
 * so a deployment never pulls or creates while images are being chosen and removed.
 */
import { ConflictError, NotFoundError, UnavailableError } from '../errors';
import type { ImageStore } from '../runtime/images';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import { mapLimited } from '../util/map-limited';
import type { Mutex } from '../util/mutex';
import { planCollection, type CollectionFacts, type CollectionPlan, type Removal } from './plan';
import { refNamesImage } from './refs';
import type { GcReport, SkipReason } from '../api/management/wire';
import { reported, summarize, formatBytes, imageName } from './report';
import type { ImageUseTracker } from './tracker';

export interface CollectorDeps {
  images: ImageStore;
  tracker: ImageUseTracker;
  deploymentLock: Mutex;
  clock: Clock;
  logger: Logger;
  thresholdMs: () => number;
  edgeAgentImage: () => string | undefined;
  /** References the current desired deployment names. */
  desiredImages: () => Promise<string[]> | string[];
  /** Removals in flight at once (default GC_CONCURRENCY). */
  concurrency?: number;
}

export interface RunOptions {
  dryRun?: boolean;
  trigger?: GcReport['trigger'];
}

/** Image removals in flight at once (make bench, gc). */
export const GC_CONCURRENCY = 4;

export class ImageCollector {
  constructor(private readonly deps: CollectorDeps) {}

  run(options: RunOptions = {}): Promise<GcReport> {
    return this.deps.deploymentLock.run(() => this.runLocked(options));
  }

  private async runLocked({ dryRun = false, trigger = 'manual' }: RunOptions): Promise<GcReport> {
    const { clock, logger } = this.deps;
    const startedAt = new Date(clock.now()).toISOString();
    const facts = await this.gatherFacts();
    const plan = planCollection(facts);
    const report: GcReport = {
      trigger,
      dryRun,
      startedAt,
      finishedAt: startedAt,
      removed: [],
      skipped: [],
      kept: plan.keep.filter((k) => k.reason !== 'not-edge-owned').map((k) => ({ ...reported(k.image, k.lastUsed), reason: k.reason })),
      foreignImages: plan.keep.filter((k) => k.reason === 'not-edge-owned').length,
      bytesFreed: 0,
    };
    if (dryRun) {
      report.removed = plan.remove.map((r) => reported(r.image, r.lastUsed));
      report.bytesFreed = report.removed.reduce((n, i) => n + i.size, 0);
    } else {
      await this.execute(plan, report);
    }
    report.finishedAt = new Date(clock.now()).toISOString();
    logger.info(summarize(report));
    return report;
  }

  private async gatherFacts(): Promise<CollectionFacts> {
    const { images, tracker, clock } = this.deps;
    // Containers are listed after images: an image listed as unused cannot have gained a
    // container before the listing that would show it.
    const all = await images.list();
    const usedImageIds = await images.usedImageIds();
    return {
      now: clock.now(),
      thresholdMs: this.deps.thresholdMs(),
      images: all,
      usedImageIds,
      tracked: await tracker.snapshot(),
      edgeAgentImage: this.deps.edgeAgentImage(),
      desiredImages: await this.deps.desiredImages(),
      inFlightRefs: tracker.inFlightRefs(),
    };
  }

  private async execute(plan: CollectionPlan, report: GcReport): Promise<void> {
    const { tracker } = this.deps;
    await tracker.touch(plan.touch);
    await tracker.forget(plan.forget);
    // Entries of removed images are dropped in one write at the end; if edged dies before it,
    // the next run drops them (they are no longer on the engine).
    const gone: Removal[] = [];
    try {
      await this.removeAll(plan, report, gone);
    } finally {
      await tracker.forgetUnlessUsedSince(gone.map((r) => ({ id: r.image.id, lastUsed: r.lastUsed })));
    }
  }

  private async removeAll(plan: CollectionPlan, report: GcReport, gone: Removal[]): Promise<void> {
    const { logger } = this.deps;
    // A few removals at once: the engine overlaps their layer deletions; an unreachable engine ends the run.
    await mapLimited(plan.remove, this.deps.concurrency ?? GC_CONCURRENCY, async (removal) => {
      if (report.error) return;
      try {
        const { outcome, detail } = await this.removeOne(removal);
        const entry = reported(removal.image, removal.lastUsed);
        if (outcome === 'removed' || outcome === 'already-gone') gone.push(removal);
        if (outcome === 'removed') {
          report.removed.push(entry);
          report.bytesFreed += entry.size;
          logger.info(`removed unused image ${imageName(entry)} (${entry.id}, ${formatBytes(entry.size)}, last used ${entry.lastUsed})`);
        } else {
          report.skipped.push({ ...entry, reason: outcome, ...(detail ? { detail } : {}) });
          logger.info(`kept image ${imageName(entry)}: ${outcome}${detail ? ` (${detail})` : ''}`);
        }
      } catch (e) {
        const entry = reported(removal.image, removal.lastUsed);
        if (e instanceof UnavailableError) {
          report.error ??= e.message;
          return;
        }
        const detail = e instanceof Error ? e.message : String(e);
        report.skipped.push({ ...entry, reason: 'error', detail });
        logger.warn(`could not remove image ${imageName(entry)}: ${detail}`);
      }
    });
  }

  /** Re-checks what may have changed since planning, then asks the engine (which refuses if a container uses it). */
  private async removeOne(r: Removal): Promise<{ outcome: 'removed' | Exclude<SkipReason, 'error'>; detail?: string }> {
    const { tracker, images } = this.deps;
    const lastUsed = tracker.lastUsedOf(r.image.id);
    if (lastUsed !== undefined && lastUsed > r.lastUsed) return { outcome: 'used-since-planning' };
    if (tracker.inFlightRefs().some((ref) => refNamesImage(ref, r.image))) return { outcome: 'in-flight' };
    try {
      await images.remove(r.image.id);
    } catch (e) {
      // The engine's refusal says why: a container (running or stopped) or a child image uses it.
      if (e instanceof ConflictError) return { outcome: 'in-use', detail: e.message };
      if (e instanceof NotFoundError) return { outcome: 'already-gone' };
      throw e;
    }
    return { outcome: 'removed' };
  }
}
