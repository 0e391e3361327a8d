/** Image garbage collection: what the rest of edged uses. */
import type Docker from 'dockerode';
import { DockerImageStore } from '../runtime/docker/images';
import type { ModuleRuntime } from '../runtime/types';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import { ImageUseTracker, trackerFile } from './tracker';
import { ImageTrackingRuntime } from './tracking-runtime';

/**
 * Wraps edged's module runtime so that every pull, create and remove records image use in
 * <home>/gc/images.json. edged builds its runtime through this once; the collector finds the
 * tracker from it.
 */
export function withImageTracking(
  runtime: ModuleRuntime,
  deps: { home: string; docker: Docker; clock: Clock; logger: Logger },
): ImageTrackingRuntime {
  const logger = deps.logger.child('image-gc');
  const tracker = new ImageUseTracker(trackerFile(deps.home), { clock: deps.clock, logger });
  return new ImageTrackingRuntime(runtime, tracker, new DockerImageStore(deps.docker), logger);
}

export { imageGcComponent, type GcContext } from './component';
export { ImageCollector } from './collector';
export { planCollection, type CollectionFacts, type CollectionPlan, type KeepReason } from './plan';
export type { GcReport } from './report';
export { summarize, formatBytes } from './report';
export { ImageGcService, type ImageGcHandle, type GcStatus, lastRunFile } from './service';
export {
  parseGcSettings,
  parseDuration,
  parseRecurrence,
  parseCleanupTime,
  parseEnabled,
  validateSnapOption,
  snapOptionValidators,
  GC_DEFAULTS,
  type GcSettings,
} from './settings';
export { ImageUseTracker, trackerFile } from './tracker';
export { ImageTrackingRuntime, trackerOf } from './tracking-runtime';
