/**
 * The image garbage collector as an edged component. The factory wraps ctx.runtime so that every
 * pull, create and remove records image use (so its line comes before the components that keep
 * a reference to the runtime) and fills ctx.imageGc; start() runs the schedule, stop() ends it.
 */
import type Docker from 'dockerode';
import type { SuperConfig } from '../config/types';
import { DockerImageStore } from '../runtime/docker/images';
import type { ImageStore } from '../runtime/images';
import type { ModuleRuntime } from '../runtime/types';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import type { Mutex } from '../util/mutex';
import { ImageCollector } from '../gc/collector';
import { ImageGcService, type ImageGcHandle } from '../gc/service';
import { parseGcSettings, type RawGcSection } from '../config/image-gc';
import { ImageUseTracker, trackerFile } from '../gc/tracker';
import { ImageTrackingRuntime, trackerOf } from '../gc/tracking-runtime';

/** The parts of edged's context the collector uses (structurally a subset of EdgedContext). */
export interface GcContext {
  config: Pick<SuperConfig, 'agent'> & { image_garbage_collection?: RawGcSection | SuperConfig['image_garbage_collection'] };
  home: string;
  logger: Logger;
  clock: Clock;
  docker: Docker;
  runtime: ModuleRuntime;
  deploymentLock: Mutex;
  /** References the current desired deployment names (the agent's). */
  desiredImages?: () => Promise<string[]> | string[];
  imageGc?: ImageGcHandle;
}

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
