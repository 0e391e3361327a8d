/**
 * The image service over real HTTP on loopback, on a local-directory store: bases registered
 * from real GPT images, images customized through the API, downloaded through signed URLs and
 * checked with mtools and fsck.vfat; the bearer token, the grade rules, bad inputs (4xx, one
 * line, nothing written), batches (JSON and CSV), TTL expiry, and no secret in the log.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { LocalDirectoryStore } from '../../../src/images/store/local-store';
import { createImageService, type ImageService } from '../../../src/images/service';
import { fsckVfat, makeClassicImage, makeCoreImage, mdir, mtype, sha256Range, xzDecompressFile, type TestImage } from '../../helpers/disk-images';
import { imageApi, type Json } from '../../helpers/image-api';
import { CONNECTION_STRING, GROUP_KEY } from '../../helpers/image-devices';
import { until } from '../../helpers/until';

const TOKEN = 'test-token-0123456789abcdef';
let dir: string;
let storeDir: string;
let service: ImageService;
let url: string;
let core: TestImage;
const clock = new FakeClock(Date.UTC(2026, 11, 3, 12));
const logger = memoryLogger();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-service-'));
  storeDir = path.join(dir, 'store');
  core = makeCoreImage(dir, { grade: 'dangerous' });
  service = await createImageService({
    store: new LocalDirectoryStore({ root: storeDir }),
    cacheDir: path.join(dir, 'cache'),
    token: TOKEN,
    clock,
    logger,
    dpsGroupKey: Buffer.from(GROUP_KEY, 'base64'),
    secretTtlSeconds: 3600,
    downloadTtlSeconds: 600,
  });
  url = await service.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await service?.app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, p: string, body?: unknown, headers?: Record<string, string>) => imageApi(url, TOKEN, method, p, body, headers);

const storeFiles = () => (fs.existsSync(storeDir) ? (fs.readdirSync(storeDir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(storeDir, f)).isFile()).sort() : []);

let coreSha: string | undefined;
async function registerCore(): Promise<string> {
  if (coreSha) return coreSha;
  const r = await call('POST', '/v1/bases?name=core.img', createReadStream(core.path));
  expect([200, 201]).toContain(r.status);
  return (coreSha = r.json.sha256 as string);
}

async function download(link: string): Promise<Buffer> {
  const res = await fetch(link);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

describe('the bearer token', () => {
  it('is required on every route but the OpenAPI document and signed downloads', async () => {
    for (const h of [{}, { authorization: 'Bearer wrong-token-0123456789abc' }, { authorization: TOKEN }] as Array<Record<string, string>>) {
      const res = await fetch(`${url}/v1/bases`, { headers: h });
      expect(res.status).toBe(401);
      expect(((await res.json()) as Json).error).toBe('a valid bearer token is required');
    }
    const doc = (await (await fetch(`${url}/openapi.json`)).json()) as Json;
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths as object).sort()).toEqual(['/v1/bases', '/v1/batches', '/v1/images', '/v1/images/{id}', '/v1/images/{id}/download']);
  });
});

describe('bases', () => {
  it('registers a GPT Ubuntu Core base by sha256, once, and lists it', async () => {
    const first = await call('POST', '/v1/bases?name=core.img', createReadStream(core.path));
    expect(first.status).toBe(201);
    const sha = sha256Range(core.path, { offset: 0, size: fs.statSync(core.path).size });
    expect(first.json).toMatchObject({ sha256: sha, name: 'core.img', kind: 'core', table: 'gpt', grade: 'dangerous', partition: 2, model: 'azure-iot-edge-test' });
    const again = await call('POST', '/v1/bases?name=core.img', createReadStream(core.path));
    expect(again.status).toBe(200);
    expect((await call('GET', '/v1/bases')).json.bases).toEqual([first.json]);
  });

  it.each([
    ['a truncated base', () => { const t = path.join(dir, 'trunc.img'); fs.copyFileSync(core.path, t); fs.truncateSync(t, 30 << 20); return t; }, 'trunc.img', 422, /the base image is truncated/],
    ['no partition table', () => { const t = path.join(dir, 'zero.img'); fs.writeFileSync(t, Buffer.alloc(1 << 20)); return t; }, 'zero.img', 422, /no readable partition table|no partition/],
    ['path characters in the name', () => core.path, '..%2Fetc%2Fx.img', 400, /the base name must be/],
    ['a name that is not an image', () => core.path, 'core.iso', 400, /ending in .img or .img.xz/],
  ])('refuses %s: 4xx, one line, nothing stored', async (_w, file, name, status, message) => {
    const before = storeFiles();
    const r = await call('POST', `/v1/bases?name=${name}`, createReadStream(file()));
    expect(r.status).toBe(status);
    expect(r.json.error).toMatch(message);
    expect(r.json.error).not.toContain('\n');
    expect(storeFiles()).toEqual(before);
    expect(fs.readdirSync(path.join(dir, 'cache')).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('images', () => {
  it('customizes through the API; the signed URL downloads an image whose files are there and whose other bytes are the base', async () => {
    const base = await registerCore();
    const r = await call('POST', '/v1/images', { base, device: { name: 'dev-1', connectionString: CONNECTION_STRING, hostname: 'edge-1' } });
    expect(r.status).toBe(202);
    expect(r.json.id).toMatch(/^[0-9a-f]{32}$/);
    await service.jobs.idle();
    const { json: img } = await call('GET', `/v1/images/${r.json.id}`);
    expect(img).toMatchObject({ id: r.json.id, name: 'dev-1', base, status: 'done', progress: 1, files: ['/data/etc/cloud/cloud.cfg.d/90-azure-iot-edge.cfg'] });
    expect(img.expiresAt).toBe(new Date(clock.now() + 3600_000).toISOString());
    const bytes = await download(img.download.url as string);
    expect(bytes.length).toBe(img.size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(img.sha256);
    const xz = path.join(dir, 'dev-1.img.xz');
    fs.writeFileSync(xz, bytes);
    xzDecompressFile(xz, `${xz}.raw`);
    const raw = `${xz}.raw`;
    expect(mdir(raw, core.fat, 'data/etc/cloud/cloud.cfg.d')).toContain('90-azure-iot-edge.cfg');
    expect(mtype(raw, core.fat, 'data/etc/cloud/cloud.cfg.d/90-azure-iot-edge.cfg')).toContain('hostname: edge-1');
    expect(fsckVfat(raw, core.fat, dir).ok).toBe(true);
    for (const o of core.others) expect(sha256Range(raw, o)).toBe(sha256Range(core.path, o));
    // The URL is the only credential a download needs: changed, or past its time, it is refused.
    const link = new URL(img.download.url as string);
    link.searchParams.set('sig', `${link.searchParams.get('sig')!.slice(0, -2)}AA`);
    expect((await fetch(link)).status).toBe(403);
    await clock.advance(601_000);
    const late = await fetch(img.download.url as string);
    expect(late.status).toBe(403);
    expect(((await late.json()) as Json).error).toBe('this download URL has expired');
  });

  it('expires images holding secrets after their TTL and deletes them', async () => {
    const base = await registerCore();
    const { json } = await call('POST', '/v1/images', { base, device: { name: 'ttl-1', connectionString: CONNECTION_STRING } });
    await service.jobs.idle();
    const done = (await call('GET', `/v1/images/${json.id}`)).json;
    expect(storeFiles()).toContain(`images/${json.id}/ttl-1.img.xz`);
    await clock.advance(3600_000 + 1);
    expect(await service.jobs.expire()).toContain(json.id);
    expect(storeFiles()).not.toContain(`images/${json.id}/ttl-1.img.xz`);
    expect((await call('GET', `/v1/images/${json.id}`)).json).toMatchObject({ status: 'expired' });
    expect((await fetch(done.download.url as string)).status).toBe(403);
  });

  it('deletes an image and its record', async () => {
    const base = await registerCore();
    const { json } = await call('POST', '/v1/images', { base, device: { name: 'del-1', hostname: 'edge-del' } });
    await service.jobs.idle();
    expect((await call('DELETE', `/v1/images/${json.id}`)).status).toBe(204);
    expect((await call('GET', `/v1/images/${json.id}`)).status).toBe(404);
    expect(storeFiles().filter((f) => f.includes(json.id as string))).toEqual([]);
  });

  it.each([
    ['an unknown base', () => ({ base: 'f'.repeat(64), device: { name: 'x', hostname: 'h' } }), 404, /^no base f{64}$/],
    ['a base that is not a sha256', () => ({ base: '../../etc', device: { name: 'x', hostname: 'h' } }), 400, /base must be the sha256/],
    ['an invalid connection string', (b: string) => ({ base: b, device: { name: 'x', connectionString: 'HostName=h;DeviceId=d' } }), 400, /connectionString: the connection string has no SharedAccessKey/],
    ['an oversized field', (b: string) => ({ base: b, device: { name: 'x', connectionString: 'x'.repeat(5000) } }), 400, /connectionString is longer than 4096 bytes/],
    ['path characters in the name', (b: string) => ({ base: b, device: { name: 'a/../../b', hostname: 'h' } }), 400, /^name must be/],
    ['an unknown field', (b: string) => ({ base: b, device: { name: 'x', hostname: 'h', password: 'p' } }), 400, /the device has unknown field password/],
    ['a body over the limit', (b: string) => ({ base: b, device: { name: 'x', deployment: 'x'.repeat(2 << 20) } }), 413, /too large/i],
  ])('refuses %s: 4xx, one line, nothing written', async (_w, body, status, message) => {
    const base = await registerCore();
    const before = storeFiles();
    const r = await call('POST', '/v1/images', body(base));
    expect(r.status).toBe(status);
    expect(r.json.error).toMatch(message);
    expect(r.json.error).not.toContain('\n');
    expect(storeFiles()).toEqual(before);
  });

  it('refuses per-device secrets on a signed base with the reason, writing nothing', async () => {
    const signed = makeCoreImage(dir, { grade: 'signed', name: 'signed.img' });
    const { json: b } = await call('POST', '/v1/bases?name=signed.img', createReadStream(signed.path));
    expect(b).toMatchObject({ kind: 'core', grade: 'signed' });
    const before = storeFiles();
    const r = await call('POST', '/v1/images', { base: b.sha256, device: { name: 's1', connectionString: CONNECTION_STRING } });
    expect(r.status).toBe(422);
    expect(r.json.error).toMatch(/grade signed: snapd ignores cloud-init configuration in ubuntu-seed/);
    expect(r.json.hint).toMatch(/provision after first boot/);
    expect(storeFiles()).toEqual(before);
  });
});

describe('batches', () => {
  it('makes one image per device from JSON, and from CSV on a classic MBR base', async () => {
    const base = await registerCore();
    const j = await call('POST', '/v1/batches', { base, devices: [{ name: 'b-1', connectionString: CONNECTION_STRING }, { name: 'b-2', dps: { idScope: '0ne00ABCDEF', registrationId: 'b-2' } }] });
    expect(j.status).toBe(202);
    expect(j.json.images).toHaveLength(2);
    const classic = makeClassicImage(dir);
    const { json: cb } = await call('POST', '/v1/bases?name=classic.img', createReadStream(classic.path));
    expect(cb).toMatchObject({ kind: 'classic', table: 'mbr', partition: 1 });
    const csv = `name,connectionString,hostname,wifi.ssid,wifi.passphrase\npi-1,"${CONNECTION_STRING}",pi-1,lab,wifi-passphrase\npi-2,,pi-2,,\n`;
    const c = await call('POST', `/v1/batches?base=${cb.sha256}`, csv, { 'content-type': 'text/csv' });
    expect(c.status).toBe(202);
    await service.jobs.idle();
    const all = (await call('GET', '/v1/images')).json.images as Json[];
    const mine = all.filter((i) => i.batch === j.json.batch || i.batch === c.json.batch);
    expect(mine.map((i) => [i.name, i.status])).toEqual([['b-1', 'done'], ['b-2', 'done'], ['pi-1', 'done'], ['pi-2', 'done']]);
    const pi1 = mine.find((i) => i.name === 'pi-1')!;
    const xz = path.join(dir, 'pi-1.img.xz');
    fs.writeFileSync(xz, await download(pi1.download.url as string));
    xzDecompressFile(xz, `${xz}.raw`);
    expect(mtype(`${xz}.raw`, classic.fat, 'network-config')).toContain('lab');
    expect(fsckVfat(`${xz}.raw`, classic.fat, dir).ok).toBe(true);
  });

  it('refuses a batch with one bad device, naming it, and writes nothing', async () => {
    const base = await registerCore();
    const before = storeFiles();
    const csv = `name,connectionString\nok-1,"${CONNECTION_STRING}"\nbad/2,"${CONNECTION_STRING}"\n`;
    const r = await call('POST', `/v1/batches?base=${base}`, csv, { 'content-type': 'text/csv' });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(/^device 2: name must be/);
    const dup = await call('POST', '/v1/batches', { base, devices: [{ name: 'd', hostname: 'a' }, { name: 'd', hostname: 'b' }] });
    expect(dup.json.error).toBe('device 2: the name d is given twice');
    expect((await call('POST', `/v1/batches?base=${base}`, 'name,password\nx,y\n', { 'content-type': 'text/csv' })).json.error).toMatch(/unknown column password/);
    expect(storeFiles()).toEqual(before);
  });
});

it('never logs a secret', () => {
  const log = logger.lines.join('\n');
  expect(log).not.toContain('SharedAccessKey');
  expect(log).not.toContain(CONNECTION_STRING.split('SharedAccessKey=')[1]);
  expect(log).not.toContain(GROUP_KEY);
});

it('leaves no temp file when a client goes away in the middle of an upload', async () => {
  const { request } = await import('node:http');
  const u = new URL(`${url}/v1/bases?name=gone.img`);
  const req = request({ host: u.hostname, port: u.port, path: `${u.pathname}${u.search}`, method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream', 'content-length': String(64 << 20) } });
  req.on('error', () => undefined);
  req.write(Buffer.alloc(4 << 20, 1));
  const cache = path.join(dir, 'cache');
  await until(() => fs.readdirSync(cache).some((f) => f.startsWith('.upload-')), 'the upload to start');
  req.destroy();
  await until(() => !fs.readdirSync(cache).some((f) => f.startsWith('.upload-')), 'the partial upload to be removed');
  expect(((await call('GET', '/v1/bases')).json.bases as Json[]).map((b) => b.name)).not.toContain('gone.img');
});
