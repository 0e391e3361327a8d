/**
 * Which images edged itself pulled or created containers from, and when each was last used.
 * Only images in here are ever collected: everything else on the engine is someone else's.
 * Persisted as one JSON document (<home>/gc/images.json), rewritten atomically on each change.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import { Mutex } from '../util/mutex';
import { normalizeRef } from './refs';

export interface TrackedImage {
  id: string;
  /** References edged used for it, familiar form. */
  refs: string[];
  /** Epoch milliseconds of the last pull, container create or container removal. */
  lastUsed: number;
}

interface FileShape {
  version: 1;
  images: Record<string, { refs: string[]; lastUsed: string }>;
}

export function trackerFile(home: string): string {
  return path.join(home, 'gc', 'images.json');
}

export class ImageUseTracker {
  private images: Map<string, TrackedImage> | undefined;
  private readonly lock = new Mutex();
  private readonly inFlight = new Map<string, number>();

  constructor(
    private readonly file: string,
    private readonly deps: { clock: Clock; logger: Logger },
  ) {}

  /** Call after a pull, a container create and a container removal (the image's last use). */
  async recordUse(imageRef: string, imageId: string, when: number = this.deps.clock.now()): Promise<void> {
    await this.update((images) => {
      const entry = images.get(imageId) ?? { id: imageId, refs: [], lastUsed: when };
      const ref = normalizeRef(imageRef);
      if (ref !== imageId && !entry.refs.includes(ref)) entry.refs.push(ref);
      entry.lastUsed = Math.max(entry.lastUsed, when);
      images.set(imageId, entry);
    });
  }

  /** Marks images as used now (the collector does this for tracked images containers use). */
  async touch(ids: string[], when: number = this.deps.clock.now()): Promise<void> {
    if (ids.length === 0) return;
    await this.update((images) => {
      for (const id of ids) {
        const e = images.get(id);
        if (e) e.lastUsed = Math.max(e.lastUsed, when);
      }
    });
  }

  /** Drops entries for images that are gone from the engine. */
  async forget(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.update((images) => ids.forEach((id) => images.delete(id)));
  }

  /** Drops entries unless a use was recorded after `lastUsed` (the image came back meanwhile). */
  async forgetUnlessUsedSince(entries: { id: string; lastUsed: number }[]): Promise<void> {
    if (entries.length === 0) return;
    await this.update((images) => {
      for (const { id, lastUsed } of entries) {
        const e = images.get(id);
        if (e && e.lastUsed <= lastUsed) images.delete(id);
      }
    });
  }

  async snapshot(): Promise<TrackedImage[]> {
    const images = await this.load();
    return [...images.values()].map((e) => ({ ...e, refs: [...e.refs] }));
  }

  /** The last use as currently known (after `snapshot` loaded the file), for re-checks just before a removal. */
  lastUsedOf(id: string): number | undefined {
    return this.images?.get(id)?.lastUsed;
  }

  /**
   * Marks a reference as being pulled or created right now, until the returned function is called:
   * the collector keeps any image such a reference names. For callers outside the deployment lock.
   */
  beginUse(ref: string): () => void {
    const key = normalizeRef(ref);
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.inFlight.get(key) ?? 1) - 1;
      if (n <= 0) this.inFlight.delete(key);
      else this.inFlight.set(key, n);
    };
  }

  inFlightRefs(): string[] {
    return [...this.inFlight.keys()];
  }

  private async update(change: (images: Map<string, TrackedImage>) => void): Promise<void> {
    await this.lock.run(async () => {
      const images = await this.load();
      change(images);
      await writeFileAtomic(this.file, serialize(images), { mode: 0o600 });
    });
  }

  private async load(): Promise<Map<string, TrackedImage>> {
    if (this.images) return this.images;
    let text: string | undefined;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    this.images = text === undefined ? new Map() : await this.parseOrSetAside(text);
    return this.images;
  }

  /** A damaged file is kept aside and tracking starts over: the collector then removes nothing it lost track of. */
  private async parseOrSetAside(text: string): Promise<Map<string, TrackedImage>> {
    try {
      return deserialize(text);
    } catch (e) {
      const aside = `${this.file}.damaged-${this.deps.clock.now()}`;
      await fs.rename(this.file, aside).catch(() => undefined);
      this.deps.logger.warn(`image use data ${this.file} is damaged; kept as ${aside}, tracking starts over`, {
        error: (e as Error).message,
      });
      return new Map();
    }
  }
}

function serialize(images: Map<string, TrackedImage>): string {
  const doc: FileShape = { version: 1, images: {} };
  for (const [id, e] of [...images].sort(([a], [b]) => a.localeCompare(b))) {
    doc.images[id] = { refs: e.refs, lastUsed: new Date(e.lastUsed).toISOString() };
  }
  return JSON.stringify(doc, null, 2) + '\n';
}

function deserialize(text: string): Map<string, TrackedImage> {
  const doc = JSON.parse(text) as FileShape;
  if (!doc || doc.version !== 1 || typeof doc.images !== 'object' || doc.images === null) {
    throw new Error('not a version 1 image use document');
  }
  const out = new Map<string, TrackedImage>();
  for (const [id, e] of Object.entries(doc.images)) {
    const lastUsed = Date.parse(e.lastUsed);
    if (!Array.isArray(e.refs) || Number.isNaN(lastUsed)) throw new Error(`bad entry for ${id}`);
    out.set(id, { id, refs: e.refs.filter((r) => typeof r === 'string'), lastUsed });
  }
  return out;
}
