/**
 * Registered bases: the file as uploaded goes to the store (so every instance can have it), a
 * raw copy is kept in this instance's cache for random access (sparse; an .xz is decompressed
 * once), and the record says what the base is. A base that cannot be used leaves nothing.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { digestTap } from '../disk/digest-tap';
import { FileDisk } from 'file-disk';
import { inspectBase } from '../base/inspect';
import { decompressBase } from '../base/open-base';
import { writeSparse } from '../base/raw-file';
import { ImageInputError, UnknownBaseError } from '../errors';
import type { ObjectStore } from '../store/object-store';
import type { Clock } from '../../util/clock';
import { keys, SHA256, type BaseRecord, type Records } from './records';

const BASE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class BaseRegistry {
  private readonly ready = new Map<string, Promise<string>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly records: Records,
    private readonly cacheDir: string,
    private readonly clock: Clock,
  ) {}

  async register(name: string, body: Readable): Promise<{ record: BaseRecord; created: boolean }> {
    if (!BASE_NAME.test(name) || !/\.img(\.xz)?$/.test(name)) {
      throw new ImageInputError('the base name must be 1 to 128 of A-Z, a-z, 0-9, ., _, - ending in .img or .img.xz', { hint: 'POST /v1/bases?name=ubuntu-core-24-amd64.img.xz' });
    }
    const compressed = name.endsWith('.xz');
    await fs.mkdir(this.cacheDir, { recursive: true, mode: 0o700 });
    const upload = path.join(this.cacheDir, `.upload-${randomBytes(8).toString('hex')}`);
    const raw = `${upload}.raw`;
    try {
      const tap = digestTap();
      if (compressed) await pipeline(body, tap.stream, createWriteStream(upload, { mode: 0o600 }));
      else {
        // A client that goes away mid-upload fails the tap too, so nothing waits on it for ever.
        const done = pipeline(body, tap.stream).catch((e: unknown) => void tap.stream.destroy(e as Error));
        await writeSparse(tap.stream, upload);
        await done;
      }
      const { sha256, size } = tap.result();
      if (size === 0) throw new ImageInputError('the base image is empty', { hint: 'send the image as the request body (application/octet-stream)' });
      const existing = await this.get(sha256).catch(() => undefined);
      if (existing) return { record: existing, created: false };
      if (compressed) await decompressBase(upload, raw);
      const rawPath = compressed ? raw : upload;
      const info = await inspect(rawPath);
      await this.store.put(keys.baseImage(sha256, compressed), createReadStream(upload), { contentType: 'application/octet-stream' });
      const record: BaseRecord = { sha256, name, size, compressed, info, created: new Date(this.clock.now()).toISOString() };
      await fs.rename(rawPath, this.cachePath(sha256));
      await this.records.bases.put(sha256, record);
      return { record, created: true };
    } finally {
      await fs.rm(upload, { force: true });
      await fs.rm(raw, { force: true });
    }
  }

  async get(sha256: string): Promise<BaseRecord> {
    if (!SHA256.test(sha256)) throw new ImageInputError('base must be the sha256 of a registered base (64 hex digits)', { hint: 'GET /v1/bases lists them' });
    const record = await this.records.bases.get(sha256);
    if (!record) throw new UnknownBaseError(`no base ${sha256}`, { hint: 'register it first: POST /v1/bases; GET /v1/bases lists them' });
    return record;
  }

  async list(): Promise<BaseRecord[]> {
    return (await this.records.bases.list()).map((r) => r.record);
  }

  /** The raw base in this instance's cache, fetched from the store when another instance registered it. */
  localPath(record: BaseRecord): Promise<string> {
    let p = this.ready.get(record.sha256);
    if (!p) {
      p = this.fetch(record);
      this.ready.set(record.sha256, p);
      p.catch(() => this.ready.delete(record.sha256));
    }
    return p;
  }

  private async fetch(record: BaseRecord): Promise<string> {
    const file = this.cachePath(record.sha256);
    if (await fs.stat(file).catch(() => undefined)) return file;
    await fs.mkdir(this.cacheDir, { recursive: true, mode: 0o700 });
    const tmp = path.join(this.cacheDir, `.fetch-${randomBytes(8).toString('hex')}`);
    try {
      const body = await this.store.get(keys.baseImage(record.sha256, record.compressed));
      if (record.compressed) {
        await pipeline(body, createWriteStream(`${tmp}.xz`, { mode: 0o600 }));
        await decompressBase(`${tmp}.xz`, tmp);
      } else {
        await writeSparse(body, tmp);
      }
      await fs.rename(tmp, file);
      return file;
    } finally {
      await fs.rm(tmp, { force: true });
      await fs.rm(`${tmp}.xz`, { force: true });
    }
  }

  /** The base's chunk cache (disk/chunk-cache.ts), beside its raw copy: made at its first image. */
  chunkCache(record: BaseRecord): { dir: string; identity: string } {
    return { dir: path.join(this.cacheDir, `${record.sha256}.xzchunks`), identity: record.sha256 };
  }

  private cachePath(sha256: string): string {
    return path.join(this.cacheDir, `${sha256}.img`);
  }
}

async function inspect(file: string) {
  const handle = await fs.open(file, 'r');
  try {
    return (await inspectBase(new FileDisk(handle, true, true))).info;
  } finally {
    await handle.close();
  }
}
