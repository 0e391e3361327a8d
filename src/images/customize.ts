/**
 * One device's image: the base opened read-only with file-disk recording writes in memory
 * (copy-on-write: the base is never copied, mounted or written), the device's files written
 * into its FAT partition through fatfs, then the whole disk (base blocks + recorded writes)
 * streamed as xz into the sink. Memory: the recorded FAT writes and the stream buffers.
 *
 * With a chunk cache (disk/chunk-cache.ts: the base compressed once, chunk by chunk) only the
 * chunks the writes touched are compressed; the rest are the cache's bytes. Without one, the
 * whole disk goes through xz.
 */
import { digestTap } from './disk/digest-tap';
import { promises as fs } from 'node:fs';
import { Readable, Transform, pipeline } from 'node:stream';
import { FileDisk } from 'file-disk';
import { inspectBase, type BaseInfo } from './base/inspect';
import type { DeviceSpec } from './device/spec';
import { planWrites } from './write/plan';
import { finishFat } from './disk/fat-finish';
import { DEFAULT_XZ_LEVEL, xzCompress, type XzOptions } from './xz';
import { chunkedImage, ensureChunkCache, touchedChunks } from './disk/chunk-cache';

export interface CustomizeOptions {
  /** A raw disk image (.img); an .img.xz is decompressed once when a base is registered. */
  basePath: string;
  spec: DeviceSpec;
  /** Consumes the compressed image (a file, a store's put); resolves once it is durable. */
  sink: (image: Readable) => Promise<unknown>;
  /** Fraction of the base read, 0..1. */
  onProgress?: (fraction: number) => void;
  xz?: XzOptions;
  /** Where the base's chunk cache is kept (made at the first image), and what names the base. */
  chunkCache?: { dir: string; identity: string };
}

export interface CustomizeResult {
  base: BaseInfo;
  files: string[];
  /** Of the compressed image. */
  sha256: string;
  size: number;
}

const CHUNK = 1 << 20;

export async function customizeImage(options: CustomizeOptions): Promise<CustomizeResult> {
  const handle = await fs.open(options.basePath, 'r');
  try {
    const disk = new FileDisk(handle, true, true);
    const { info, volume } = await inspectBase(disk);
    const writes = planWrites(info, options.spec);
    for (const w of writes) await volume.writeFile(w.path, w.content);
    await finishFat(disk, info.partition);
    const capacity = await disk.getCapacity();
    const image = options.chunkCache ? await fromChunkCache(disk, capacity, options, options.chunkCache) : await wholeDisk(disk, capacity, options);
    const counted = digestTap();
    const failures: Error[] = [];
    pipeline(image, counted.stream, (e) => void (e && failures.push(e)));
    await options.sink(counted.stream);
    if (failures.length) throw failures[0];
    return { base: info, files: writes.map((w) => w.path), ...counted.result() };
  } finally {
    await handle.close();
  }
}

/** Only the chunks the writes touched go through xz; the others are the cache's streams. */
async function fromChunkCache(disk: FileDisk, capacity: number, options: CustomizeOptions, where: { dir: string; identity: string }): Promise<Readable> {
  const xz = { ...options.xz, level: options.xz?.level ?? DEFAULT_XZ_LEVEL };
  const cache = await ensureChunkCache(where.dir, options.basePath, { capacity, identity: where.identity, level: xz.level });
  const touched = touchedChunks(disk.knownChunks, cache.chunkSize);
  const read = (start: number, end: number) => disk.getStream(start, end - start + 1, CHUNK);
  return Readable.from(chunkedImage(cache, capacity, touched, read, xz, (done, of) => options.onProgress?.(done / of)));
}

/** The whole disk (base blocks and recorded writes) through xz. */
async function wholeDisk(disk: FileDisk, capacity: number, options: CustomizeOptions): Promise<Readable> {
  let read = 0;
  let reported = -1;
  const progress = new Transform({
    transform(chunk: Buffer, _enc, done) {
      read += chunk.length;
      const pct = Math.floor((read / capacity) * 100);
      if (pct !== reported) {
        reported = pct;
        options.onProgress?.(read / capacity);
      }
      done(null, chunk);
    },
  });
  pipeline(await disk.getStream(0, null, CHUNK), progress, () => undefined);
  return xzCompress(progress, options.xz);
}
