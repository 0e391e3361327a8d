import * as http from 'node:http';
import { Readable } from 'node:stream';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { isEdgeError } from '../../../src/errors';
import { JsonRecords } from '../../../src/images/store/json-records';
import { S3Store } from '../../../src/images/store/s3-store';
import { openStore, parseStoreUrl } from '../../../src/images/store/store-config';
import { startS3rver, type S3Fake } from './s3rver';
import { generated, objectStoreContract, readAll, sha256 } from './store-contract';

const MiB = 1024 * 1024;
let s3: S3Fake;
beforeAll(async () => {
  s3 = await startS3rver(['images', 'other']);
});
afterAll(async () => {
  await s3?.stop();
});

const store = (prefix = 'p/', extra: Partial<ConstructorParameters<typeof S3Store>[0]> = {}) =>
  new S3Store({ client: s3.client(), bucket: 'images', prefix, partSize: 5 * MiB, queueSize: 1, where: s3.endpoint, ...extra });

/** A store whose client records the S3 operations it sends (s3rver's ETags do not tell parts apart). */
function recordingStore(prefix = 'p/'): { store: S3Store; sent: string[] } {
  const client = s3.client();
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(context.commandName ?? '?');
      return next(args);
    },
    { step: 'initialize' },
  );
  return { store: new S3Store({ client, bucket: 'images', prefix, partSize: 5 * MiB, queueSize: 1, where: s3.endpoint }), sent };
}

/** A plain HTTP GET, as a device flasher's download would be. */
function httpGet(url: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        readAll(res).then((body) => resolve({ status: res.statusCode ?? 0, body }), reject);
      })
      .on('error', reject);
  });
}

describe('S3Store against s3rver: the object store contract', () => {
  objectStoreContract(() => store('contract/'));
});

describe('S3Store against s3rver', () => {
  it('uploads a stream of unknown length in more than two parts, and gets, heads, lists and deletes it', async () => {
    const { store: s, sent } = recordingStore();
    const total = 12 * MiB + 12345;
    const src = generated(total, 64 * 1024, 'multipart');
    expect(await s.put('images/dev-1.img.xz', src.stream)).toEqual({ size: total });
    // 5 + 5 + 2 MiB.
    expect(sent).toEqual(['CreateMultipartUploadCommand', 'UploadPartCommand', 'UploadPartCommand', 'UploadPartCommand', 'CompleteMultipartUploadCommand']);
    const raw = await s3.client().send(new HeadObjectCommand({ Bucket: 'images', Key: 'p/images/dev-1.img.xz' }));
    expect(raw.ContentLength).toBe(total);
    expect(sha256(await readAll(await s.get('images/dev-1.img.xz')))).toBe(src.sha256());
    expect((await s.head('images/dev-1.img.xz'))?.size).toBe(total);
    expect(await s.list('images/')).toEqual(['images/dev-1.img.xz']);
    await s.delete('images/dev-1.img.xz');
    expect(await s.head('images/dev-1.img.xz')).toBeUndefined();
    expect(await s.list('images/')).toEqual([]);
  });

  it('a multipart put whose source fails mid-way leaves no object and aborts the upload', async () => {
    const { store: s, sent } = recordingStore();
    let pushed = 0;
    const failing = new Readable({
      read() {
        if (pushed < 11 * MiB) {
          pushed += MiB;
          this.push(Buffer.alloc(MiB, 7));
        } else this.destroy(new Error('xz stream broke'));
      },
    });
    await expect(s.put('images/broken.img.xz', failing)).rejects.toThrow('xz stream broke');
    // How many parts went before the failure depends on scheduling; the upload is never completed.
    expect(sent[0]).toBe('CreateMultipartUploadCommand');
    expect(sent).toContain('UploadPartCommand');
    expect(sent.at(-1)).toBe('AbortMultipartUploadCommand');
    expect(sent).not.toContain('CompleteMultipartUploadCommand');
    expect(await s.head('images/broken.img.xz')).toBeUndefined();
  });

  it('hands out a presigned GET that a plain HTTP client fetches, refused once expired', async () => {
    const s = store();
    const body = Buffer.from('a customized image');
    await s.put('images/dev-2.img.xz', body);
    const url = await s.presignedGet('images/dev-2.img.xz', 300);
    expect(url).toMatch(new RegExp(`^${s3.endpoint}/images/p/images/dev-2\\.img\\.xz\\?`));
    expect(url).toContain('X-Amz-Expires=300');
    const ok = await httpGet(url);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual(body);
    // Signed an hour ago for a minute: expired now, without waiting for it.
    const past = store('p/', { now: () => new Date(Date.now() - 3600_000) });
    const expired = await httpGet(await past.presignedGet('images/dev-2.img.xz', 60));
    expect(expired.status).toBe(403);
    expect(expired.body.toString()).toContain('Request has expired');
    await expect(s.presignedGet('images/dev-2.img.xz', 0)).rejects.toThrow('a presigned URL lives 1 to 604800 seconds, not 0');
    await expect(s.presignedGet('images/dev-2.img.xz', 604801)).rejects.toThrow(/not 604801/);
  });

  it('a store with a key the server does not know is refused, in one line naming the S3 error and no secret', async () => {
    const wrong = new S3Store({ client: s3.client({ accessKeyId: 'NOT-A-KEY', secretAccessKey: 'very-secret-value' }), bucket: 'images', where: s3.endpoint });
    const e = await wrong.put('images/x', Buffer.from('x')).catch((x: unknown) => x);
    expect(isEdgeError(e)).toBe(true);
    const message = (e as Error).message;
    expect(message).toMatch(/^the image store \(bucket "images" at http:\/\/127\.0\.0\.1:\d+\) failed to put "images\/x": InvalidAccessKeyId \(HTTP 403\)/);
    expect(message).not.toContain('very-secret-value');
    expect(message).not.toContain('\n');
    const denied = await httpGet(await wrong.presignedGet('p/images/dev-2.img.xz', 60));
    expect(denied.status).toBe(403);
    expect(denied.body.toString()).toContain('InvalidAccessKeyId');
  });

  it('names a missing bucket as a store failure, not as a missing object', async () => {
    const s = new S3Store({ client: s3.client(), bucket: 'no-such-bucket', where: s3.endpoint });
    await expect(s.get('a')).rejects.toThrow(/failed to get "a": NoSuchBucket/);
    await expect(s.list('')).rejects.toThrow(/failed to list "": NoSuchBucket/);
  });

  it('keeps each store inside its prefix of the bucket', async () => {
    const a = store('tenant-a/');
    const b = store('tenant-b/');
    await a.put('jobs/1.json', Buffer.from('a'));
    await b.put('jobs/1.json', Buffer.from('b'));
    expect((await readAll(await a.get('jobs/1.json'))).toString()).toBe('a');
    expect(await a.list('')).toEqual(['jobs/1.json']);
    await a.delete('jobs/1.json');
    expect((await readAll(await b.get('jobs/1.json'))).toString()).toBe('b');
  });

  it('opens from a store URL (s3://bucket/prefix?endpoint=…) with the environment’s credentials', async () => {
    const config = parseStoreUrl(`s3://images/from-url?endpoint=${s3.endpoint}`, {});
    expect(config).toMatchObject({ kind: 's3', bucket: 'images', prefix: 'from-url/', forcePathStyle: true });
    const s = openStore(config, { s3Client: s3.client() });
    await s.put('x', Buffer.from('via url'));
    expect((await readAll(await store('from-url/').get('x'))).toString()).toBe('via url');
  });
});

describe('job records shared through one bucket', () => {
  interface Job {
    id: string;
    state: 'queued' | 'running' | 'done';
    progress: number;
  }
  const parseJob = (v: unknown, id: string): Job => {
    const j = v as Job;
    if (j?.id !== id || !['queued', 'running', 'done'].includes(j.state)) throw new Error(`not a job: ${id}`);
    return j;
  };

  it('two service instances, each with its own client and store, see each other’s jobs', async () => {
    const one = new JsonRecords<Job>(store('shared/'), 'jobs/', parseJob);
    const two = new JsonRecords<Job>(store('shared/'), 'jobs/', parseJob);
    await one.put('job-a', { id: 'job-a', state: 'queued', progress: 0 });
    await two.put('job-b', { id: 'job-b', state: 'running', progress: 40 });
    expect(await one.get('job-b')).toEqual({ id: 'job-b', state: 'running', progress: 40 });
    expect(await two.get('job-a')).toEqual({ id: 'job-a', state: 'queued', progress: 0 });
    await one.put('job-a', { id: 'job-a', state: 'done', progress: 100 });
    expect((await two.list()).map((r) => r.record)).toEqual([
      { id: 'job-a', state: 'done', progress: 100 },
      { id: 'job-b', state: 'running', progress: 40 },
    ]);
    await two.delete('job-a');
    expect(await one.get('job-a')).toBeUndefined();
    expect(await one.ids()).toEqual(['job-b']);
  });

  it('refuses ids with path characters and names a record that is not JSON', async () => {
    const s = store('records/');
    const jobs = new JsonRecords<Job>(s, 'jobs/', parseJob);
    for (const id of ['../x', 'a/b', '', '.hidden']) await expect(jobs.get(id)).rejects.toThrow(/a record id is one name/);
    await s.put('jobs/bad.json', Buffer.from('{not json'));
    await expect(jobs.get('bad')).rejects.toThrow('the record "jobs/bad.json" in the image store is not JSON');
    await s.put('jobs/nested/x.json', Buffer.from('{}'));
    expect(await jobs.ids()).toEqual(['bad']);
  });
});
