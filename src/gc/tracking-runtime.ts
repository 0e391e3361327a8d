/**
 * A ModuleRuntime that records image use for the garbage collector around the real one: after a
 * pull, after a container create and after a container removal (the moment an image stops being
 * used is when its age starts). While a pull or create runs, its reference is marked in flight,
 * so a collection running outside the deployment lock keeps that image. Recording never fails
 * the module operation: a missed record only means an image is kept.
 */
import type { Readable } from 'node:stream';
import type { ImageStore } from '../runtime/images';
import type {
  DockerConfig,
  LogOptions,
  Module,
  ModuleRuntime,
  ModuleSpec,
  RuntimeEvent,
  SystemInfo,
  SystemResources,
} from '../runtime/types';
import type { Logger } from '../util/log';
import type { ImageUseTracker } from './tracker';

export class ImageTrackingRuntime implements ModuleRuntime {
  constructor(
    readonly inner: ModuleRuntime,
    readonly tracker: ImageUseTracker,
    private readonly images: ImageStore,
    private readonly logger: Logger,
  ) {}

  async create(spec: ModuleSpec): Promise<void> {
    const done = this.tracker.beginUse(spec.config.image);
    try {
      await this.inner.create(spec);
      const id = (await this.inner.get(spec.name).catch(() => undefined))?.state.imageId;
      await this.record(spec.config.image, id);
    } finally {
      done();
    }
  }

  async pull(config: DockerConfig): Promise<void> {
    const done = this.tracker.beginUse(config.image);
    try {
      await this.inner.pull(config);
      await this.record(config.image);
    } finally {
      done();
    }
  }

  async remove(name: string): Promise<void> {
    const before = await this.inner.get(name).catch(() => undefined);
    await this.inner.remove(name);
    if (before) await this.record(before.config.image, before.state.imageId);
  }

  start(name: string): Promise<void> {
    return this.inner.start(name);
  }
  stop(name: string, waitBeforeKillSeconds?: number): Promise<void> {
    return this.inner.stop(name, waitBeforeKillSeconds);
  }
  restart(name: string): Promise<void> {
    return this.inner.restart(name);
  }
  get(name: string): Promise<Module> {
    return this.inner.get(name);
  }
  list(): Promise<Module[]> {
    return this.inner.list();
  }
  logs(name: string, options: LogOptions): Promise<Readable> {
    return this.inner.logs(name, options);
  }
  systemInfo(): Promise<SystemInfo> {
    return this.inner.systemInfo();
  }
  systemResources(): Promise<SystemResources> {
    return this.inner.systemResources();
  }
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return this.inner.events(signal);
  }

  private async record(ref: string, knownId?: string): Promise<void> {
    try {
      const id = knownId ?? (await this.images.resolve(ref));
      if (id) await this.tracker.recordUse(ref, id);
    } catch (e) {
      this.logger.warn(`could not record the use of image ${ref} for garbage collection: ${(e as Error).message}`);
    }
  }
}

/** The tracker behind a runtime, when the runtime records image use. */
export function trackerOf(runtime: ModuleRuntime): ImageUseTracker | undefined {
  return runtime instanceof ImageTrackingRuntime ? runtime.tracker : undefined;
}
