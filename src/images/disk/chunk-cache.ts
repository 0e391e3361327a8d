/**
 * A base compressed once, as independent xz streams, one per CHUNK_SIZE bytes of the raw disk.
 * The xz format lets streams follow one another (`xz -d`, xzcat and liblzma read them as one
 * file), so a device's image is the cached streams of every chunk its writes leave alone plus
 * freshly compressed streams for the few chunks they touch: per device, only those are
 * compressed, instead of the whole disk.
 *
 * Layout of a cache directory: `chunks.xz` (the streams, back to back) and `index.json` (what
 * they were made from and where each stream starts). Both are replaced by rename, so a reader
 * sees a whole cache or none; a cache made from another file, size or xz level is made again.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { isZero } from '../base/raw-file';
import { writeFileAtomic } from '../../util/atomic-write';
import { xzCompress, type XzOptions } from '../xz';

export const CHUNK_SIZE = 32 * 1024 * 1024;

/** What a cache was made from: a cache for anything else is stale. */
export interface ChunkSource {
  capacity: number;
  /** e.g. the base's sha256, or its path, size and mtime. */
  identity: string;
  level: number;
}

interface ChunkIndex extends ChunkSource {
  version: 1;
  chunkSize: number;
  /** Where each chunk's stream starts in chunks.xz, and (last) the file's length. */
  offsets: number[];
}

export interface ChunkCache {
  file: string;
  chunkSize: number;
  offsets: number[];
}

export function chunkCount(capacity: number, chunkSize = CHUNK_SIZE): number {
  return Math.ceil(capacity / chunkSize);
}

/** Chunk i's first and last byte (inclusive): the last chunk ends with the disk. */
function chunkRange(i: number, capacity: number, chunkSize: number): { start: number; end: number } {
  return { start: i * chunkSize, end: Math.min(capacity, (i + 1) * chunkSize) - 1 };
}

/** The cache in `dir` if it was made from `source`, else undefined. */
export async function openChunkCache(dir: string, source: ChunkSource): Promise<ChunkCache | undefined> {
  let index: ChunkIndex;
  try {
    index = JSON.parse(await fs.readFile(path.join(dir, 'index.json'), 'utf8')) as ChunkIndex;
  } catch {
    return undefined;
  }
  const file = path.join(dir, 'chunks.xz');
  const size = (await fs.stat(file).catch(() => undefined))?.size;
  const fits =
    index.version === 1 &&
    index.capacity === source.capacity &&
    index.identity === source.identity &&
    index.level === source.level &&
    Array.isArray(index.offsets) &&
    index.offsets.length === chunkCount(source.capacity, index.chunkSize) + 1 &&
    index.offsets.at(-1) === size;
  return fits ? { file, chunkSize: index.chunkSize, offsets: index.offsets } : undefined;
}

/**
 * The cache for `source`, made from the raw base at `basePath` when `dir` has none that fits.
 * Two makers at once each write their own temporary file; the last rename wins, and either is whole.
 */
export async function ensureChunkCache(dir: string, basePath: string, source: ChunkSource, options: BuildOptions = {}): Promise<ChunkCache> {
  const existing = await openChunkCache(dir, source);
  if (existing) return existing;
  // The images of a batch start together: one of this process makes the cache, the others wait for it.
  let making = building.get(dir);
  if (!making) {
    making = makeChunkCache(dir, basePath, source, options).finally(() => building.delete(dir));
    building.set(dir, making);
  }
  await making;
  return (await openChunkCache(dir, source)) ?? ensureChunkCache(dir, basePath, source, options);
}

interface BuildOptions {
  chunkSize?: number;
  onProgress?: (fraction: number) => void;
}

const building = new Map<string, Promise<ChunkCache>>();

async function makeChunkCache(dir: string, basePath: string, source: ChunkSource, { chunkSize = CHUNK_SIZE, onProgress }: BuildOptions): Promise<ChunkCache> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = path.join(dir, `.chunks-${randomBytes(6).toString('hex')}.tmp`);
  try {
    const out = createWriteStream(tmp, { mode: 0o600 });
    const offsets = [0];
    const n = chunkCount(source.capacity, chunkSize);
    // A disk is mostly unwritten space: a whole chunk of zeros gets the one stream made for it.
    let zeroChunk: Buffer | undefined;
    const compressed = async (start: number, end: number): Promise<Iterable<Buffer> | AsyncIterable<Buffer>> => {
      if (end - start + 1 === chunkSize && (await isZeroRange(basePath, start, end))) {
        zeroChunk ??= await collect(xzCompress(Readable.from(zeros(chunkSize)), { level: source.level }));
        return [zeroChunk];
      }
      return xzCompress(createReadStream(basePath, { start, end }), { level: source.level });
    };
    for (let i = 0; i < n; i++) {
      const { start, end } = chunkRange(i, source.capacity, chunkSize);
      let written = 0;
      for await (const piece of await compressed(start, end)) {
        written += piece.length;
        if (!out.write(piece)) await once(out, 'drain');
      }
      offsets.push(offsets[i] + written);
      onProgress?.((i + 1) / n);
    }
    out.end();
    await once(out, 'finish');
    await fs.rename(tmp, path.join(dir, 'chunks.xz'));
    const index: ChunkIndex = { version: 1, ...source, chunkSize, offsets };
    await writeFileAtomic(path.join(dir, 'index.json'), JSON.stringify(index) + '\n', { mode: 0o600 });
    return { file: path.join(dir, 'chunks.xz'), chunkSize, offsets };
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

async function isZeroRange(file: string, start: number, end: number): Promise<boolean> {
  for await (const piece of createReadStream(file, { start, end, highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (!isZero(piece)) return false;
  }
  return true;
}

function* zeros(length: number): Generator<Buffer> {
  const mib = Buffer.alloc(1 << 20);
  for (let left = length; left > 0; left -= mib.length) yield left >= mib.length ? mib : mib.subarray(0, left);
}

async function collect(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const p of stream) parts.push(p);
  return Buffer.concat(parts);
}

/** The chunks any of these byte ranges (inclusive ends, as file-disk records writes) fall in. */
export function touchedChunks(ranges: ReadonlyArray<{ start: number; end: number }>, chunkSize: number): Set<number> {
  const touched = new Set<number>();
  for (const r of ranges) {
    for (let i = Math.floor(r.start / chunkSize); i <= Math.floor(r.end / chunkSize); i++) touched.add(i);
  }
  return touched;
}

/**
 * The whole disk as one .xz: each chunk's cached stream, or, for a touched chunk, its current
 * bytes (`read`) compressed afresh. `onChunk` is told each chunk done (for progress).
 */
export async function* chunkedImage(
  cache: ChunkCache,
  capacity: number,
  touched: ReadonlySet<number>,
  read: (start: number, end: number) => Promise<Readable>,
  xz: XzOptions & { level: number },
  onChunk?: (done: number, of: number) => void,
): AsyncGenerator<Buffer> {
  const n = chunkCount(capacity, cache.chunkSize);
  // Opened once: a cache made again meanwhile (another process) replaces the file, not these bytes.
  const handle = await fs.open(cache.file, 'r');
  try {
    for (let i = 0; i < n; i++) {
      const { start, end } = chunkRange(i, capacity, cache.chunkSize);
      const source = touched.has(i)
        ? xzCompress(await read(start, end), xz)
        : handle.createReadStream({ start: cache.offsets[i], end: cache.offsets[i + 1] - 1, autoClose: false });
      for await (const piece of source as AsyncIterable<Buffer>) yield piece;
      onChunk?.(i + 1, n);
    }
  } finally {
    await handle.close();
  }
}
