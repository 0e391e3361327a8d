/**
 * The image garbage collector as an edged component. Its runtime layer (`runtime`, over the one
 * given) records the image use of every pull, create and remove; `service` is what the
 * management API and the agent's reported state use; start() runs the schedule, stop() ends it.
 */
import type { SuperConfig } from '../config/types';
import { DockerImageStore } from '../runtime/docker/images';
import type { ImageStore } from '../runtime/images';
import { ImageCollector } from '../gc/collector';
import { ImageGcService } from '../gc/service';
import { ImageUseTracker, trackerFile } from '../gc/tracker';
import { ImageTrackingRuntime } from '../gc/tracking-runtime';
import type { ModuleRuntime } from '../runtime/types';
import type { Component, EdgedContext } from './context';

/** The parts of edged's context the collector uses. */
export type GcContext = Pick<EdgedContext, 'home' | 'logger' | 'clock' | 'docker' | 'deploymentLock'> & {
  config: Pick<SuperConfig, 'agent' | 'image_garbage_collection'>;
};

export interface GcComponentOptions {
  /** Defaults to the Docker engine of ctx.docker. */
  images?: ImageStore;
  /** Overrides [image_garbage_collection] startup_delay (default 5 minutes). */
  startupDelayMs?: number;
  /** The images the current desired deployment references: never collected (default: none). */
  desiredImages?: () => Promise<string[]> | string[];
}

export interface GcComponent extends Component {
  service: ImageGcService;
  /** The runtime below, recording image use. */
  runtime: ImageTrackingRuntime;
}

export function imageGcComponent(ctx: GcContext, below: ModuleRuntime, options: GcComponentOptions = {}): GcComponent {
  const settings = { ...ctx.config.image_garbage_collection };
  if (options.startupDelayMs !== undefined) settings.startupDelayMs = options.startupDelayMs;
  const logger = ctx.logger.child('image-gc');
  const images = options.images ?? new DockerImageStore(ctx.docker);
  const tracker = new ImageUseTracker(trackerFile(ctx.home), { clock: ctx.clock, logger });
  const collector = new ImageCollector({
    images,
    tracker,
    deploymentLock: ctx.deploymentLock,
    clock: ctx.clock,
    logger,
    thresholdMs: () => settings.thresholdMs,
    edgeAgentImage: () => ctx.config.agent?.config?.image,
    desiredImages: async () => (options.desiredImages ? await options.desiredImages() : []),
  });
  const service = new ImageGcService({ collector, tracker, settings, clock: ctx.clock, logger, home: ctx.home });
  return {
    name: 'image-gc',
    service,
    runtime: new ImageTrackingRuntime(below, tracker, images, logger),
    async start(): Promise<void> {
      await service.start();
    },
    async stop(): Promise<void> {
      await service.stop();
    },
  };
}
