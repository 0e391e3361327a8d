import * as path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { ConfigError } from '../../errors';
import { LocalDirectoryStore } from './local-store';
import type { ObjectStore } from './object-store';
import { MIN_PART_SIZE, S3Store } from './s3-store';

/** Where the image service keeps its objects, parsed once from one URL. */
export type StoreConfig =
  | { kind: 'local'; root: string }
  | {
      kind: 's3';
      bucket: string;
      /** '' or ending in `/`. */
      prefix: string;
      region: string;
      /** An S3-compatible server (MinIO, Ceph, s3rver); undefined: AWS itself. */
      endpoint?: string;
      forcePathStyle: boolean;
      partSize: number;
    };

const HINT = 'give a directory (or file:///dir) or s3://BUCKET[/PREFIX][?endpoint=URL&region=R&path-style=1&part-size-mib=N]; credentials come from the AWS environment, never the URL';

/**
 * `/var/lib/images`, `file:///var/lib/images` or `s3://bucket/prefix?endpoint=…`. The S3 region
 * and endpoint fall back to AWS_REGION and AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL; credentials are
 * the SDK's usual chain (AWS_ACCESS_KEY_ID…, profiles, instance roles), so no secret sits in a URL
 * that might be logged.
 */
export function parseStoreUrl(text: string, env: NodeJS.ProcessEnv = {}): StoreConfig {
  // A password put in the URL by mistake is not repeated in the error.
  const shown = text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1…@');
  const bad = (why: string) => new ConfigError(`image store ${JSON.stringify(shown)}: ${why}`, { hint: HINT });
  if (!text) throw bad('it is empty');
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text)) return { kind: 'local', root: path.resolve(text) };
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw bad('it is not a URL');
  }
  if (url.protocol === 'file:') {
    if (url.search || url.hash || (url.host && url.host !== 'localhost')) throw bad('a file: URL is a local directory and takes no host or query');
    return { kind: 'local', root: path.resolve(decodeURIComponent(url.pathname)) };
  }
  if (url.protocol !== 's3:') throw bad(`${url.protocol.slice(0, -1)} is not a store kind (file or s3)`);
  if (url.username || url.password) throw bad('credentials do not belong in the store URL (they would end up in logs)');
  const bucket = url.hostname;
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw bad(`${JSON.stringify(bucket)} is not an S3 bucket name`);
  let prefix = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  const known = new Set(['endpoint', 'region', 'path-style', 'part-size-mib']);
  for (const k of url.searchParams.keys()) if (!known.has(k)) throw bad(`unknown parameter ${JSON.stringify(k)} (known: ${[...known].join(', ')})`);
  const endpoint = url.searchParams.get('endpoint') ?? env.AWS_ENDPOINT_URL_S3 ?? env.AWS_ENDPOINT_URL ?? undefined;
  if (endpoint !== undefined && !/^https?:\/\/[^/]+\/?$/.test(endpoint)) throw bad(`endpoint ${JSON.stringify(endpoint)} is not http(s)://HOST[:PORT]`);
  const region = url.searchParams.get('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const pathStyle = url.searchParams.get('path-style');
  if (pathStyle !== null && !['0', '1', 'true', 'false'].includes(pathStyle)) throw bad('path-style is 1 or 0');
  const mib = url.searchParams.get('part-size-mib');
  const partSize = mib === null ? 8 * 1024 * 1024 : Number(mib) * 1024 * 1024;
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE || partSize > 512 * 1024 * 1024) throw bad('part-size-mib is a whole number from 5 to 512');
  // S3-compatible servers are usually reached by path (http://host:9000/bucket/key).
  const forcePathStyle = pathStyle === null ? endpoint !== undefined : pathStyle === '1' || pathStyle === 'true';
  return { kind: 's3', bucket, prefix, region, endpoint, forcePathStyle, partSize };
}

export interface OpenStoreDeps {
  /** The S3 client, when the caller builds its own (credentials, tests). */
  s3Client?: S3Client;
}

export function openStore(config: StoreConfig, deps: OpenStoreDeps = {}): ObjectStore {
  if (config.kind === 'local') return new LocalDirectoryStore({ root: config.root });
  const client = deps.s3Client ?? createS3Client(config);
  return new S3Store({ client, bucket: config.bucket, prefix: config.prefix, partSize: config.partSize, where: config.endpoint ?? config.region });
}

export function createS3Client(config: Extract<StoreConfig, { kind: 's3' }>, credentials?: { accessKeyId: string; secretAccessKey: string }): S3Client {
  return new S3Client({
    region: config.region,
    endpoint: config.endpoint,
    forcePathStyle: config.forcePathStyle,
    credentials,
    // S3-compatible servers do not all know the flexible checksums (aws-chunked trailers) that
    // the SDK adds by default; send them only where S3 requires them.
    ...(config.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
  });
}
