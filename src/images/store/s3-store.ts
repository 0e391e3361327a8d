import { Readable, Transform, pipeline } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { BadRequestError, UnavailableError } from '../../errors';
import { checkKey, checkPrefix, ObjectNotFoundError, type ObjectStore } from './object-store';

/** S3's smallest part but the last; the parts of a 4 GiB image stay far below the 10,000-part limit. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
/** SigV4 presigned URLs live at most a week. */
export const MAX_PRESIGN_SECONDS = 7 * 24 * 3600;

export interface S3StoreOptions {
  client: S3Client;
  bucket: string;
  /** Folder inside the bucket every key lives under ('' or ending in `/`). */
  prefix?: string;
  /** Bytes per part of a multipart upload (≥ 5 MiB). Memory of a put is about partSize × (queueSize + 1). */
  partSize?: number;
  /** Parts uploaded at once. */
  queueSize?: number;
  /** The signing time of presigned URLs (tests hand a past one to get an expired URL). */
  now?: () => Date;
  /** Named in errors: where the bucket is (an endpoint or the region). */
  where?: string;
}

/**
 * An S3 bucket (or an S3-compatible server) as an object store. A put of a stream of unknown
 * length is a multipart upload holding only a few parts in memory; the object appears whole
 * when the upload completes, and a failed one is aborted, so readers see the old object or the
 * new one. Several service instances can share one bucket.
 */
export class S3Store implements ObjectStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly partSize: number;
  private readonly queueSize: number;
  private readonly now: () => Date;
  private readonly where: string;

  constructor(options: S3StoreOptions) {
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    if (this.prefix !== '' && !this.prefix.endsWith('/')) throw new BadRequestError(`the S3 store prefix ${JSON.stringify(this.prefix)} must end in \`/\``);
    checkPrefix(this.prefix);
    this.partSize = options.partSize ?? 8 * 1024 * 1024;
    if (this.partSize < MIN_PART_SIZE) throw new BadRequestError(`the S3 part size ${this.partSize} is below S3's minimum of 5 MiB`);
    this.queueSize = options.queueSize ?? 2;
    this.now = options.now ?? (() => new Date());
    this.where = options.where ?? 'S3';
  }

  async put(key: string, body: Readable | Buffer, opts: { contentType?: string } = {}): Promise<{ size: number }> {
    const Key = this.key(key);
    let size = 0;
    let source: Readable | Buffer = body;
    let piped: Promise<void> = Promise.resolve();
    let sourceError: Error | undefined;
    if (!Buffer.isBuffer(body)) {
      const counted = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          size += chunk.length;
          done(null, chunk);
        },
      });
      // pipeline destroys `counted` with the source's error, which ends the upload with it;
      // that error, not the upload's echo of it, is what the caller hears.
      body.once('error', (e) => (sourceError = e));
      piped = new Promise((resolve) => pipeline(body, counted, () => resolve()));
      source = counted;
    } else size = body.length;
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key, Body: source, ContentType: opts.contentType ?? 'application/octet-stream' },
      partSize: this.partSize,
      queueSize: this.queueSize,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (e) {
      if (!Buffer.isBuffer(body)) body.destroy();
      await piped;
      throw sourceError ?? this.failed('put', key, e);
    }
    await piped;
    return { size };
  }

  async get(key: string): Promise<Readable> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      if (!(out.Body instanceof Readable)) throw new Error('the S3 answer has no body stream');
      return out.Body;
    } catch (e) {
      if (isMissing(e)) throw new ObjectNotFoundError(key, { cause: e });
      throw this.failed('get', key, e);
    }
  }

  async head(key: string): Promise<{ size: number; modified: Date } | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
      return { size: out.ContentLength ?? 0, modified: out.LastModified ?? new Date(0) };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw this.failed('head', key, e);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(key) }));
    } catch (e) {
      if (isMissing(e)) return;
      throw this.failed('delete', key, e);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const Prefix = this.prefix + checkPrefix(prefix);
    const keys: string[] = [];
    try {
      for await (const page of paginateListObjectsV2({ client: this.client }, { Bucket: this.bucket, Prefix })) {
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key.slice(this.prefix.length));
      }
    } catch (e) {
      throw this.failed('list', prefix, e);
    }
    return keys.sort();
  }

  async presignedGet(key: string, ttlSeconds: number): Promise<string> {
    const Key = this.key(key);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_PRESIGN_SECONDS) {
      throw new BadRequestError(`a presigned URL lives 1 to ${MAX_PRESIGN_SECONDS} seconds, not ${ttlSeconds}`);
    }
    return getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key }), {
      expiresIn: ttlSeconds,
      signingDate: this.now(),
    });
  }

  private key(key: string): string {
    return this.prefix + checkKey(key);
  }

  /** One line naming the verb, the key and S3's own error name; never the credentials or the request. */
  private failed(verb: string, key: string, e: unknown): Error {
    if (e instanceof ObjectNotFoundError || e instanceof BadRequestError) return e;
    const name = (e as { name?: string }).name ?? 'Error';
    const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    const detail = `${name}${status ? ` (HTTP ${status})` : ''}: ${message}`;
    return new UnavailableError(`the image store (bucket ${JSON.stringify(this.bucket)} at ${this.where}) failed to ${verb} ${JSON.stringify(key)}: ${detail}`, {
      hint: 'check the store endpoint, the bucket and the credentials the service runs with',
      cause: e,
    });
  }
}

function isMissing(e: unknown): boolean {
  const name = (e as { name?: string } | undefined)?.name;
  const status = (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && name !== 'NoSuchBucket');
}
