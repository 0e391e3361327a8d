import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { createS3Client } from '../../../src/images/store/store-config';

interface S3rverInstance {
  run(): Promise<{ port: number; address: string }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

/** s3rver's one account (it accepts any SigV4 signature of a known access key id; it checks expiry). */
export const S3RVER_KEYS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3Fake {
  endpoint: string;
  dir: string;
  client(keys?: { accessKeyId: string; secretAccessKey: string }): S3Client;
  stop(): Promise<void>;
}

/** An S3-compatible server (s3rver, from npm) on 127.0.0.1, its objects in a temp directory. */
export async function startS3rver(buckets: string[]): Promise<S3Fake> {
  const S3rver = require('s3rver') as S3rverClass;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 's3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: dir,
    vhostBuckets: false,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const clients: S3Client[] = [];
  return {
    endpoint,
    dir,
    client(keys = S3RVER_KEYS) {
      const c = createS3Client({ kind: 's3', bucket: 'x', prefix: '', region: 'us-east-1', endpoint, forcePathStyle: true, partSize: 0 }, keys);
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await server.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
