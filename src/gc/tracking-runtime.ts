/**
 * A ModuleRuntime that records image use for the garbage collector around the real one: after a
 * pull, after a container create and after a container removal (the moment an image stops being
 * used is when its age starts). While a pull or create runs, its reference is marked in flight,
 * so a collection running outside the deployment lock keeps that image. Recording never fails
 * the module operation: a missed record only means an image is kept.
 */
import { DelegatingRuntime } from '../runtime/delegating-runtime';
import type { ImageStore } from '../runtime/images';
import type { DockerConfig, Module, ModuleRuntime, ModuleSpec } from '../runtime/types';
import type { Logger } from '../util/log';
import type { ImageUseTracker } from './tracker';

export class ImageTrackingRuntime extends DelegatingRuntime {
  constructor(
    inner: ModuleRuntime,
    readonly tracker: ImageUseTracker,
    private readonly images: ImageStore,
    private readonly logger: Logger,
  ) {
    super(inner);
  }

  override async create(spec: ModuleSpec): Promise<Module> {
    const done = this.tracker.beginUse(spec.config.image);
    try {
      const created = await this.inner.create(spec);
      await this.record(spec.config.image, created.state.imageId);
      return created;
    } finally {
      done();
    }
  }

  override async pull(config: DockerConfig): Promise<void> {
    const done = this.tracker.beginUse(config.image);
    try {
      await this.inner.pull(config);
      await this.record(config.image);
    } finally {
      done();
    }
  }

  override async remove(name: string): Promise<void> {
    const before = await this.inner.get(name).catch(() => undefined);
    await this.inner.remove(name);
    if (before) await this.record(before.config.image, before.state.imageId);
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
