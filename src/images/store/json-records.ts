import { EdgeError } from '../../errors';
import { checkKey, checkPrefix, InvalidKeyError, isObjectNotFound, type ObjectStore } from './object-store';

/** Records larger than this are not job records: refused rather than read into memory. */
const MAX_RECORD_BYTES = 1024 * 1024;

/**
 * JSON records (the image service's jobs) kept as one object each under a folder of a store, so
 * every service instance over the same bucket sees the same jobs. A put replaces a record whole
 * (the store's put is atomic); the last writer wins, so each record has one writer at a time
 * (the instance running that job).
 */
export class JsonRecords<T> {
  constructor(
    private readonly store: ObjectStore,
    /** '' or a folder ending in `/`, e.g. `jobs/`. */
    private readonly folder: string,
    /** Checks what was read and gives it its type; throws on a record that is not one. */
    private readonly parse: (value: unknown, id: string) => T,
  ) {
    if (folder !== '' && !folder.endsWith('/')) throw new Error(`a records folder ends in /: ${folder}`);
    checkPrefix(folder);
  }

  async put(id: string, record: T): Promise<void> {
    await this.store.put(this.key(id), Buffer.from(JSON.stringify(record)), { contentType: 'application/json' });
  }

  async get(id: string): Promise<T | undefined> {
    const key = this.key(id);
    let text: string;
    try {
      text = await readText(await this.store.get(key), key);
    } catch (e) {
      if (isObjectNotFound(e)) return undefined;
      throw e;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new EdgeError(`the record ${JSON.stringify(key)} in the image store is not JSON`, { cause: e, hint: 'delete it or restore it from a backup' });
    }
    return this.parse(value, id);
  }

  async ids(): Promise<string[]> {
    const keys = await this.store.list(this.folder);
    return keys
      .map((k) => k.slice(this.folder.length))
      .filter((rest) => rest.endsWith('.json') && !rest.includes('/'))
      .map((rest) => rest.slice(0, -'.json'.length));
  }

  /** Every record; one deleted between the listing and its read is left out. */
  async list(): Promise<Array<{ id: string; record: T }>> {
    const out: Array<{ id: string; record: T }> = [];
    for (const id of await this.ids()) {
      const record = await this.get(id);
      if (record !== undefined) out.push({ id, record });
    }
    return out;
  }

  async delete(id: string): Promise<void> {
    await this.store.delete(this.key(id));
  }

  private key(id: string): string {
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(id)) throw new InvalidKeyError(id, 'a record id is one name of up to 128 letters, digits, `.`, `_` and `-`');
    return checkKey(`${this.folder}${id}.json`);
  }
}

async function readText(stream: NodeJS.ReadableStream, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of stream) {
    const buf = typeof c === 'string' ? Buffer.from(c) : c;
    size += buf.length;
    if (size > MAX_RECORD_BYTES) {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw new EdgeError(`the record ${JSON.stringify(key)} in the image store is over ${MAX_RECORD_BYTES} bytes`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}
