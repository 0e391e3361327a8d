/**
 * A job whose service instance dies does not stay `running`: real `bin/image-service` processes
 * on one local-directory store, killed with SIGKILL mid-job. Restarted on the same data
 * directory, the instance fails its predecessor's job before it serves; another instance (its
 * own data directory) fails it once the dead one's lease has passed. Either way the job's input
 * (the device's secrets) and any partial image are deleted, and the record says why.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeCoreImage } from '../../helpers/disk-images';
import { imageApi, type Json } from '../../helpers/image-api';
import { CONNECTION_STRING } from '../../helpers/image-devices';
import { until } from '../../helpers/until';

jest.setTimeout(300_000);

const TOKEN = 'test-token-0123456789abcdef';
const bin = path.resolve(__dirname, '../../../bin/image-service');
let dir: string;
let store: string;
let baseXz: string;
const children: ChildProcess[] = [];


interface Service {
  child: ChildProcess;
  url: string;
  log: () => string;
}

async function startService(dataDir: string, extra: string[] = []): Promise<Service> {
  const child = spawn(process.execPath, [bin, '--listen', '127.0.0.1:0', '--data-dir', dataDir, '--store', store, ...extra], {
    env: { ...process.env, IMAGE_SERVICE_TOKEN: TOKEN },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  children.push(child);
  let log = '';
  child.stderr.on('data', (d: Buffer) => void (log += d.toString()));
  const url = await until(() => /listening on (http:\/\/\S+)/.exec(log)?.[1], 'the image service listening', 60_000, () => `\n${log}`);
  return { child, url, log: () => log };
}

const call = (s: Service, method: string, p: string, body?: unknown) => imageApi(s.url, TOKEN, method, p, body);

function kill9(s: Service): Promise<void> {
  return new Promise((resolve) => {
    s.child.once('exit', () => resolve());
    s.child.kill('SIGKILL');
  });
}

/** Starts a job on a base big enough to be caught mid-way, and waits until it is running. */
async function runningJob(s: Service, base: string, name: string): Promise<string> {
  const r = await call(s, 'POST', '/v1/images', { base, device: { name, connectionString: CONNECTION_STRING } });
  expect(r.status).toBe(202);
  const id = r.json.id as string;
  await until(async () => (await call(s, 'GET', `/v1/images/${id}`)).json.status === 'running', `job ${name} running`);
  expect(fs.existsSync(path.join(store, 'jobs', `${id}.json`))).toBe(true);
  // Mid-way: the image is being written into the store's temp file.
  await until(() => (fs.readdirSync(path.join(store, 'images', id), { withFileTypes: true }).find((e) => e.name.endsWith('.tmp')) ? true : undefined), `job ${name} writing its image`);
  return id;
}

function expectSettled(id: string, json: Json): void {
  expect(json.status).toBe('failed');
  expect(json.error).toMatch(/^the service instance [0-9a-f]{16} that had this job running stopped before it finished \(last heartbeat [^)]+\); request the image again$/);
  expect(fs.existsSync(path.join(store, 'jobs', `${id}.json`))).toBe(false);
  // Nothing of the partial image (it holds the device's secrets): no object, no temp file.
  const left = path.join(store, 'images', id);
  expect(fs.existsSync(left) ? fs.readdirSync(left) : []).toEqual([]);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-death-'));
  store = path.join(dir, 'store');
  // 1 GiB sparse: a few seconds of customizing on a loaded machine, a small .xz to upload.
  const core = makeCoreImage(dir, { grade: 'dangerous', name: 'big.img', sizeMiB: 1024 });
  execFileSync('xz', ['-1', '-T0', core.path]);
  baseXz = `${core.path}.xz`;
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

it('a restart on the same data directory fails the job its killed predecessor was running, before serving', async () => {
  const first = await startService(path.join(dir, 'a'));
  const reg = await call(first, 'POST', '/v1/bases?name=big.img.xz', createReadStream(baseXz));
  expect(reg.status).toBe(201);
  const id = await runningJob(first, reg.json.sha256 as string, 'killed-1');
  await kill9(first);

  const again = await startService(path.join(dir, 'a'));
  const r = await call(again, 'GET', `/v1/images/${id}`);
  expectSettled(id, r.json);
  expect(again.log()).toContain(`image ${id}: failed, its instance had stopped`);
  expect(again.log()).not.toContain('SharedAccessKey');
  await kill9(again);
});

it('another instance on the same store fails a killed instance\'s job once its lease has passed', async () => {
  const a = await startService(path.join(dir, 'a'));
  const sha = (await call(a, 'GET', '/v1/bases')).json.bases[0].sha256 as string;
  const id = await runningJob(a, sha, 'killed-2');
  await kill9(a);

  const b = await startService(path.join(dir, 'b'), ['--lease', '3']);
  const json = await until(async () => {
    const r = await call(b, 'GET', `/v1/images/${id}`);
    return r.json.status === 'failed' ? r.json : undefined;
  }, 'the killed instance\'s job failed by another instance');
  expectSettled(id, json);
  // A live instance's jobs are not touched: b's own job completes.
  const mine = await call(b, 'POST', '/v1/images', { base: sha, device: { name: 'alive-1', hostname: 'edge-alive' } });
  const done = await until(async () => {
    const r = await call(b, 'GET', `/v1/images/${mine.json.id}`);
    return r.json.status === 'done' || r.json.status === 'failed' ? r.json : undefined;
  }, 'b\'s own job finished', 180_000);
  expect(done.status).toBe('done');
  await kill9(b);
});
