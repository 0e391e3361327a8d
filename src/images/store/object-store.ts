import type { Readable } from 'node:stream';
import { BadRequestError, NotFoundError } from '../../errors';

/**
 * Where bases, customized images and job records live: a local directory (the embedded default)
 * or an S3 bucket that several service instances share. Keys are `/`-separated relative names.
 */
export interface ObjectStore {
  put(key: string, body: Readable | Buffer, opts?: { contentType?: string }): Promise<{ size: number }>;
  /** Rejects with ObjectNotFoundError when there is no such object. */
  get(key: string): Promise<Readable>;
  head(key: string): Promise<{ size: number; modified: Date } | undefined>;
  /** Deleting a key that is not there is not an error (as S3). */
  delete(key: string): Promise<void>;
  /**
   * Deletes what an interrupted put of `key` left (its writer died): a local temp file. S3 keeps
   * an incomplete multipart upload invisible until the bucket's AbortIncompleteMultipartUpload
   * lifecycle rule removes it, so the S3 store has none.
   */
  discardPartial?(key: string): Promise<void>;
  /** Every key that starts with `prefix` (a plain string prefix, as S3), sorted. */
  list(prefix: string): Promise<string[]>;
  /** A URL anyone holding it may GET until it expires; undefined: the service signs its own URL. */
  presignedGet(key: string, ttlSeconds: number): Promise<string | undefined>;
}

export class ObjectNotFoundError extends NotFoundError {
  readonly key: string;
  constructor(key: string, options: { cause?: unknown } = {}) {
    super(`no object ${JSON.stringify(key)} in the image store`, { cause: options.cause });
    this.key = key;
  }
}

export function isObjectNotFound(e: unknown): e is ObjectNotFoundError {
  return e instanceof ObjectNotFoundError;
}

export class InvalidKeyError extends BadRequestError {
  constructor(what: string, reason: string) {
    super(`invalid object key ${JSON.stringify(what.length > 80 ? what.slice(0, 80) + '…' : what)}: ${reason}`, {
      hint: 'use `/`-separated names of letters, digits, `.`, `_` and `-`, none starting with `.`',
    });
  }
}

/** S3 allows 1024 bytes; a file system path component 255: both stay well inside these. */
export const MAX_KEY_LENGTH = 512;
const MAX_SEGMENT_LENGTH = 200;
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * One rule for every store, so a key that works on a local directory works on S3 and back:
 * no absolute paths, no `.`/`..` or hidden segments (the local store's temp files start with
 * `.`), no empty segments, nothing outside a portable character set, bounded length.
 */
export function checkKey(key: string): string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidKeyError(String(key), 'it is empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidKeyError(key, `it is longer than ${MAX_KEY_LENGTH} characters`);
  if (key.startsWith('/')) throw new InvalidKeyError(key, 'it is an absolute path');
  for (const segment of key.split('/')) checkSegment(key, segment);
  return key;
}

/** A list prefix: a key, a key's leading part, a folder ending in `/`, or empty for everything. */
export function checkPrefix(prefix: string): string {
  if (prefix === '') return prefix;
  if (typeof prefix !== 'string') throw new InvalidKeyError(String(prefix), 'it is not a string');
  if (prefix.length > MAX_KEY_LENGTH) throw new InvalidKeyError(prefix, `it is longer than ${MAX_KEY_LENGTH} characters`);
  if (prefix.startsWith('/')) throw new InvalidKeyError(prefix, 'it is an absolute path');
  const segments = prefix.split('/');
  const last = segments.pop()!;
  for (const segment of segments) checkSegment(prefix, segment);
  // The last part may be the start of a name ("images/ab"), but never a way up or a hidden name.
  if (last !== '') checkSegment(prefix, last);
  return prefix;
}

function checkSegment(key: string, segment: string): void {
  if (segment === '') throw new InvalidKeyError(key, 'it has an empty path segment (`//` or a trailing `/`)');
  if (segment === '.' || segment === '..') throw new InvalidKeyError(key, `it has a \`${segment}\` segment`);
  if (segment.length > MAX_SEGMENT_LENGTH) throw new InvalidKeyError(key, `a segment is longer than ${MAX_SEGMENT_LENGTH} characters`);
  if (!SEGMENT.test(segment)) {
    throw new InvalidKeyError(key, segment.startsWith('.') ? 'a segment starts with `.`' : 'it has a character outside [A-Za-z0-9._-/]');
  }
}
