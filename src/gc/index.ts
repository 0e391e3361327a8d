/** Image garbage collection: what the rest of edged uses. */
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
