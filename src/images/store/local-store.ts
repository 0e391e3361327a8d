import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ConflictError, EdgeError } from '../../errors';
import { checkKey, checkPrefix, ObjectNotFoundError, type ObjectStore } from './object-store';

export interface LocalStoreOptions {
  /** The store's directory; created (0700) when missing. */
  root: string;
}

/**
 * A directory as an object store: one file per key (0600: images may hold device secrets).
 * A put streams into a temp file beside the target, fsyncs it, renames it over the target and
 * fsyncs the directory, so a reader sees the old object or the new one, never a torn one, and a
 * failed or interrupted put leaves the old object as it was.
 */
export class LocalDirectoryStore implements ObjectStore {
  private readonly root: string;

  constructor(options: LocalStoreOptions) {
    this.root = path.resolve(options.root);
  }

  async put(key: string, body: Readable | Buffer): Promise<{ size: number }> {
    const file = await this.file(key);
    const dir = path.dirname(file);
    await fs.mkdir(dir, { recursive: true, mode: 0o700 }).catch((e: unknown) => {
      throw isMissing(e) || (e as NodeJS.ErrnoException).code === 'EEXIST' ? new KeyConflictError(key, e) : e;
    });
    const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(tmp, 'wx', 0o600);
    let size = 0;
    try {
      try {
        if (Buffer.isBuffer(body)) {
          await handle.writeFile(body);
          size = body.length;
        } else {
          // One chunk at a time: the write's await is the back-pressure, memory stays one chunk.
          for await (const chunk of body) {
            const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
            await handle.write(buf);
            size += buf.length;
          }
        }
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file).catch((e: unknown) => {
        throw (e as NodeJS.ErrnoException).code === 'EISDIR' ? new KeyConflictError(key, e) : e;
      });
    } catch (e) {
      await fs.rm(tmp, { force: true });
      if (!Buffer.isBuffer(body)) body.destroy();
      throw e;
    }
    await syncDir(dir);
    return { size };
  }

  /** The temp files of puts of `key` (`.<name>.<random>.tmp` beside it) whose writer is gone. */
  async discardPartial(key: string): Promise<void> {
    const file = await this.file(key);
    const entries = await fs.readdir(path.dirname(file)).catch((e: unknown) => {
      if (isMissing(e)) return [];
      throw e;
    });
    const prefix = `.${path.basename(file)}.`;
    for (const name of entries) {
      if (name.startsWith(prefix) && /^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length))) await fs.rm(path.join(path.dirname(file), name), { force: true });
    }
  }

  async get(key: string): Promise<Readable> {
    const file = await this.file(key);
    // Opened before streaming: a missing key rejects here, and a concurrent replace or delete
    // cannot tear what this reader sees (it keeps the file it opened).
    const handle = await fs.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW).catch((e: unknown) => {
      if ((e as NodeJS.ErrnoException).code === 'ELOOP') throw new LinkInStoreError(key);
      throw isMissing(e) ? new ObjectNotFoundError(key, { cause: e }) : e;
    });
    const stat = await handle.stat();
    if (!stat.isFile()) {
      await handle.close();
      throw new ObjectNotFoundError(key);
    }
    return createReadStream('', { fd: handle, autoClose: true });
  }

  async head(key: string): Promise<{ size: number; modified: Date } | undefined> {
    try {
      const stat = await fs.lstat(await this.file(key));
      return stat.isFile() ? { size: stat.size, modified: stat.mtime } : undefined;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    const file = await this.file(key);
    try {
      await fs.unlink(file);
    } catch (e) {
      if (isMissing(e)) return;
      throw e;
    }
    await syncDir(path.dirname(file));
  }

  async list(prefix: string): Promise<string[]> {
    checkPrefix(prefix);
    // Walk only the folder the prefix names, then filter by the string prefix (S3's meaning).
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (folder) await this.file(folder, true);
    const keys: string[] = [];
    await this.walk(folder, keys);
    return keys.filter((k) => k.startsWith(prefix)).sort();
  }

  async presignedGet(key: string, _ttlSeconds: number): Promise<string | undefined> {
    checkKey(key);
    return undefined;
  }

  private async walk(folder: string, into: string[]): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(folder ? path.join(this.root, folder) : this.root, { withFileTypes: true });
    } catch (e) {
      if (isMissing(e) || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return;
      throw e;
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue; // temp files of puts under way
      const key = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await this.walk(key, into);
      else if (entry.isFile()) into.push(key);
    }
  }

  /**
   * The key's path, refusing one that passes through a symbolic link: the store never makes
   * one, so a link in it was planted, and following it could read or write outside the root.
   */
  private async file(key: string, itself = false): Promise<string> {
    const segments = checkKey(key).split('/');
    let at = this.root;
    for (const segment of itself ? segments : segments.slice(0, -1)) {
      at = path.join(at, segment);
      const stat = await fs.lstat(at).catch((e: unknown) => {
        if (isMissing(e)) return undefined;
        throw e;
      });
      if (!stat) break;
      if (stat.isSymbolicLink()) throw new LinkInStoreError(key);
    }
    return path.join(this.root, ...segments);
  }
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

async function syncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** A directory cannot be a file too: S3 keeps `a` and `a/b` apart, a file system cannot. */
class KeyConflictError extends ConflictError {
  constructor(key: string, cause: unknown) {
    super(`object key ${JSON.stringify(key)} clashes with another key in the local image store (one is a folder of the other)`, {
      hint: 'use keys where no key is a folder of another',
      cause,
    });
  }
}

class LinkInStoreError extends EdgeError {
  constructor(key: string) {
    super(`object key ${JSON.stringify(key)} passes through a symbolic link in the local image store, which the store never makes`, {
      hint: 'remove the link from the store directory; point the store root itself elsewhere if that was meant',
      httpStatus: 500,
    });
  }
}
