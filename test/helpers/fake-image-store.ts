/** An in-memory ImageStore for collector tests: images, the ids containers use, and hooks. */
import { ConflictError, NotFoundError } from '../../src/errors';
import type { ImageInfo, ImageStore } from '../../src/runtime/images';

export const idOf = (n: number) => `sha256:${String(n).padStart(64, '0')}`;

export class FakeImageStore implements ImageStore {
  images = new Map<string, ImageInfo>();
  used = new Set<string>();
  removed: string[] = [];
  /** Runs inside list(): lets a test observe what holds while facts are gathered. */
  onList?: () => void;
  /** Runs just before a removal reaches the "engine": lets a test make the image used. */
  beforeRemove?: (id: string) => void | Promise<void>;

  add(n: number, tags: string[], size = 1000): ImageInfo {
    const image = { id: idOf(n), tags, digests: [], created: new Date(0), size };
    this.images.set(image.id, image);
    return image;
  }

  async list(): Promise<ImageInfo[]> {
    this.onList?.();
    return [...this.images.values()];
  }
  async usedImageIds(): Promise<Set<string>> {
    return new Set(this.used);
  }
  async resolve(ref: string): Promise<string | undefined> {
    return [...this.images.values()].find((i) => i.id === ref || i.tags.includes(ref))?.id;
  }
  async remove(id: string): Promise<void> {
    await this.beforeRemove?.(id);
    if (!this.images.has(id)) throw new NotFoundError(`no such image ${id}`);
    if (this.used.has(id)) throw new ConflictError(`image ${id} is being used by a container`);
    this.images.delete(id);
    this.removed.push(id);
  }
}
