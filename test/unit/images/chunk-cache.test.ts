/**
 * The chunk cache with real xz: the streams back to back decompress to the disk with its touched
 * chunks replaced, a cache for another base or level is made again, a damaged one too, and a
 * device's bytes never reach the cache.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { chunkedImage, ensureChunkCache, openChunkCache, touchedChunks } from '../../../src/images/disk/chunk-cache';

const CHUNK = 64 * 1024;
let dir: string;
let base: string;
let content: Buffer;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chunk-cache-'));
  base = path.join(dir, 'base.img');
  // 3.5 chunks: random bytes, a zero run, and a short last chunk.
  content = Buffer.concat([randomBytes(CHUNK), Buffer.alloc(CHUNK), randomBytes(CHUNK + CHUNK / 2)]);
  fs.writeFileSync(base, content);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const source = (identity = 'base-1', level = 1) => ({ capacity: content.length, identity, level });

async function image(cacheDir: string, edits: Array<{ at: number; bytes: Buffer }>): Promise<Buffer> {
  const disk = Buffer.from(content);
  for (const e of edits) e.bytes.copy(disk, e.at);
  const cache = await ensureChunkCache(cacheDir, base, source(), { chunkSize: CHUNK });
  const touched = touchedChunks(edits.map((e) => ({ start: e.at, end: e.at + e.bytes.length - 1 })), CHUNK);
  const read = async (start: number, end: number) => Readable.from([disk.subarray(start, end + 1)]);
  const parts: Buffer[] = [];
  for await (const p of chunkedImage(cache, disk.length, touched, read, { level: 1 })) parts.push(p);
  const xz = Buffer.concat(parts);
  return execFileSync('xz', ['-dc'], { input: xz, maxBuffer: 1 << 26 });
}

it('decompresses (xz -d, streams back to back) to the disk with the touched chunks as written', async () => {
  const secret = Buffer.from('HostName=h;DeviceId=d;SharedAccessKey=c2VjcmV0');
  // One write inside chunk 1, one across the border of chunks 2 and 3.
  const edits = [{ at: CHUNK + 100, bytes: secret }, { at: 3 * CHUNK - 10, bytes: Buffer.alloc(20, 0x41) }];
  const out = await image(path.join(dir, 'cache'), edits);
  const expected = Buffer.from(content);
  for (const e of edits) e.bytes.copy(expected, e.at);
  expect(out.equals(expected)).toBe(true);
  // The cache is the base's alone.
  const cached = execFileSync('xz', ['-dc', path.join(dir, 'cache', 'chunks.xz')], { maxBuffer: 1 << 26 });
  expect(cached.equals(content)).toBe(true);
  expect(cached.includes(secret)).toBe(false);
  expect(fs.statSync(path.join(dir, 'cache', 'chunks.xz')).mode & 0o777).toBe(0o600);
});

it('with no writes is the base itself, from the cache alone', async () => {
  expect((await image(path.join(dir, 'cache'), [])).equals(content)).toBe(true);
});

it('names the chunks a range touches, inclusive ends', () => {
  expect([...touchedChunks([{ start: 0, end: CHUNK - 1 }], CHUNK)]).toEqual([0]);
  expect([...touchedChunks([{ start: CHUNK - 1, end: CHUNK }], CHUNK)]).toEqual([0, 1]);
  expect([...touchedChunks([{ start: 5 * CHUNK, end: 7 * CHUNK + 1 }], CHUNK)]).toEqual([5, 6, 7]);
});

it('is reused for the same base and made again for another base, another level or a damaged file', async () => {
  const cacheDir = path.join(dir, 'cache');
  await ensureChunkCache(cacheDir, base, source(), { chunkSize: CHUNK });
  expect(await openChunkCache(cacheDir, source())).toBeDefined();
  expect(await openChunkCache(cacheDir, source('base-2'))).toBeUndefined();
  expect(await openChunkCache(cacheDir, source('base-1', 6))).toBeUndefined();
  expect(await openChunkCache(cacheDir, { ...source(), capacity: content.length + 1 })).toBeUndefined();

  const file = path.join(cacheDir, 'chunks.xz');
  fs.truncateSync(file, fs.statSync(file).size - 1);
  expect(await openChunkCache(cacheDir, source())).toBeUndefined();
  expect((await image(cacheDir, [])).equals(content)).toBe(true);
  expect(await openChunkCache(cacheDir, source())).toBeDefined();
  expect(fs.readdirSync(cacheDir).sort()).toEqual(['chunks.xz', 'index.json']);
});

it('is made once for images that start together (a batch): the others wait for it', async () => {
  const cacheDir = path.join(dir, 'cache');
  let progressCalls = 0;
  const onProgress = () => void progressCalls++;
  const caches = await Promise.all([1, 2, 3, 4, 5].map(() => ensureChunkCache(cacheDir, base, source(), { chunkSize: CHUNK, onProgress })));
  expect(progressCalls).toBe(4); // one maker, a call per chunk
  expect(new Set(caches.map((c) => JSON.stringify(c))).size).toBe(1);
  expect(fs.readdirSync(cacheDir).sort()).toEqual(['chunks.xz', 'index.json']);
});
