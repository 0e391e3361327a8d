/**
 * The image garbage collector as an edged component. The factory wraps ctx.runtime so that every
 * pull, create and remove records image use (so its line comes before the components that keep
 * a reference to the runtime) and fills ctx.imageGc; start() runs the schedule, stop() ends it.
 */
import type { SuperConfig } from '../config/types';
import { DockerImageStore } from '../runtime/docker/images';
import type { ImageStore } from '../runtime/images';
import { ImageCollector } from '../gc/collector';
import { ImageGcService } from '../gc/service';
import { parseGcSettings, type RawGcSection } from '../config/image-gc';
import { ImageUseTracker, trackerFile } from '../gc/tracker';
import { ImageTrackingRuntime, trackerOf } from '../gc/tracking-runtime';
import type { EdgedContext } from './context';

/** The parts of edged's context the collector uses; its config may still be the raw TOML section (tests). */
export type GcContext = Pick<EdgedContext, 'home' | 'logger' | 'clock' | 'docker' | 'runtime' | 'deploymentLock' | 'desiredImages' | 'imageGc'> & {
  config: Pick<SuperConfig, 'agent'> & { image_garbage_collection?: RawGcSection | SuperConfig['image_garbage_collection'] };
};

export interface GcComponentOptions {
  /** Defaults to the Docker engine of ctx.docker. */
  images?: ImageStore;
  /** Overrides [image_garbage_collection] startup_delay (default 5 minutes). */
  startupDelayMs?: number;
}

export function imageGcComponent(ctx: GcContext, options: GcComponentOptions = {}) {
  const settings = parseGcSettings(ctx.config.image_garbage_collection);
  if (options.startupDelayMs !== undefined) settings.startupDelayMs = options.startupDelayMs;
  const logger = ctx.logger.child('image-gc');
  const images = options.images ?? new DockerImageStore(ctx.docker);
  let tracker = trackerOf(ctx.runtime);
  if (!tracker) {
    tracker = new ImageUseTracker(trackerFile(ctx.home), { clock: ctx.clock, logger });
    ctx.runtime = new ImageTrackingRuntime(ctx.runtime, tracker, images, logger);
  }
  const collector = new ImageCollector({
    images,
    tracker,
    deploymentLock: ctx.deploymentLock,
    clock: ctx.clock,
    logger,
    thresholdMs: () => settings.thresholdMs,
    edgeAgentImage: () => ctx.config.agent?.config?.image,
    desiredImages: async () => (ctx.desiredImages ? await ctx.desiredImages() : []),
  });
  const service = new ImageGcService({ collector, tracker, settings, clock: ctx.clock, logger, home: ctx.home });
  ctx.imageGc = service;
  return {
    name: 'image-gc',
    service,
    async start(): Promise<void> {
      await service.start();
    },
    async stop(): Promise<void> {
      await service.stop();
    },
  };
}
