/**
 * Every route of the three upstream workload API files, through the real handlers on real unix
 * sockets (the shared one and a module's own), each response checked against that version's
 * swagger file; and what a module's own socket refuses.
 */
import { X509Certificate, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { workloadApi, WorkloadDeps } from '../../src/api/workload/routes';
import { WorkloadSockets } from '../../src/api/workload/sockets';
import { EdgeCa } from '../../src/certs/edge-ca';
import { generateKey } from '../../src/certs/keygen';
import { ModuleCertificates } from '../../src/certs/module-certs';
import { splitPem } from '../../src/certs/x509';
import { KeyStore } from '../../src/identity/keys';
import { memoryLogger } from '../../src/util/log';
import { FakeRuntime } from '../helpers/fake-runtime';
import { loadSpec, Spec, specPathFor, specRoutes, validateResponse } from './helpers/openapi';
import { unixRequest } from './helpers/unix-client';

const VERSIONS = ['2018-06-28', '2019-01-30', '2020-07-07'];
const SPECS = new Map<string, Spec>(VERSIONS.map((v) => [v, loadSpec(`workloadVersion_${v.replace(/-/g, '_')}.yaml`)]));
// Upstream writes `format: bytes` for PEM text (what it really sends); any string is valid.
for (const spec of SPECS.values()) spec.ajv.addFormat('bytes', true);
const MODULE_KEY = Buffer.alloc(32, 9);

let dir: string;
let sockets: WorkloadSockets;
let shared: string;
let own: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'workload-contract-'));
  const runtime = new FakeRuntime();
  await runtime.create({ name: 'edgeHub', type: 'docker', config: { image: 'hub:1', createOptions: {} }, env: {}, imagePullPolicy: 'never' });
  const keys = KeyStore.under(dir);
  const ca = new EdgeCa({ home: dir, deviceId: 'dev1', logger: memoryLogger() });
  const certs = new ModuleCertificates(ca, { take: () => generateKey('ec-p256'), close: () => undefined });
  const deps: WorkloadDeps = {
    runtime,
    moduleKey: async () => MODULE_KEY,
    encrypt: (p, iv, aad) => keys.encrypt(p, iv, aad),
    decrypt: (c, iv, aad) => keys.decrypt(c, iv, aad),
    serverCertificate: (m, cn, exp) => certs.server(m, cn, exp),
    identityCertificate: (m, exp) => certs.identity(m, 'hub.net', 'dev1', exp),
    trustBundle: async () => (await ca.current()).chainPem,
    manifestTrustBundle: async () => '',
  };
  sockets = new WorkloadSockets(dir, deps, memoryLogger());
  shared = path.join(dir, 'workload.sock');
  await sockets.listenShared(`unix://${shared}`);
  own = await sockets.ensure('edgeHub');
});

afterAll(async () => {
  await sockets?.close();
  rmSync(dir, { recursive: true, force: true });
});

const b64 = (s: string) => Buffer.from(s).toString('base64');

function requestsFor(version: string): [string, string, unknown, number][] {
  const q = `?api-version=${version}`;
  const base = `/modules/%24edgeHub/genid/g1`;
  const list: [string, string, unknown, number][] = [
    ['GET', `/modules${q}`, undefined, 200],
    ['POST', `${base}/sign${q}`, { keyId: 'primary', algo: 'HMACSHA256', data: b64('data') }, 200],
    ['POST', `${base}/encrypt${q}`, { plaintext: b64('secret'), initializationVector: b64('iv-123') }, 200],
    ['POST', `${base}/certificate/server${q}`, { commonName: 'edgehubhost', expiration: new Date(Date.now() + 86_400_000).toISOString() }, 201],
    ['POST', `/modules/%24edgeHub/certificate/identity${q}`, { expiration: new Date(Date.now() + 3_600_000).toISOString() }, 201],
    ['GET', `/trust-bundle${q}`, undefined, 200],
  ];
  if (version >= '2020-07-07') list.push(['GET', `/manifest-trust-bundle${q}`, undefined, 200]);
  return list;
}

describe.each(VERSIONS)('workload API %s', (version) => {
  const spec = SPECS.get(version)!;

  it('covers every operation of the file', () => {
    const served = new Set(requestsFor(version).map(([m, p]) => `${m} ${specPathFor(spec, p.split('?')[0])}`));
    served.add(`POST /modules/{name}/genid/{genid}/decrypt`);
    expect(specRoutes(spec).map(([m, p]) => `${m} ${p}`).sort()).toEqual([...served].sort());
  });

  it.each([['shared', () => shared], ['module', () => own]])('answers as the spec says on the %s socket', async (_, socket) => {
    for (const [method, p, body, status] of requestsFor(version)) {
      const res = await unixRequest(socket(), method, p, body);
      expect([p, res.status]).toEqual([p, status]);
      expect(validateResponse(spec, method, specPathFor(spec, p.split('?')[0])!, res.status, res.json)).toEqual([]);
    }
  });

  it('round-trips encrypt and decrypt, and signs with the module key', async () => {
    const q = `?api-version=${version}`;
    const enc = await unixRequest(own, 'POST', `/modules/edgeHub/genid/g1/encrypt${q}`, { plaintext: b64('secret'), initializationVector: b64('iv') });
    const dec = await unixRequest(own, 'POST', `/modules/edgeHub/genid/g1/decrypt${q}`, {
      ciphertext: (enc.json as { ciphertext: string }).ciphertext,
      initializationVector: b64('iv'),
    });
    expect(validateResponse(spec, 'POST', '/modules/{name}/genid/{genid}/decrypt', dec.status, dec.json)).toEqual([]);
    expect(Buffer.from((dec.json as { plaintext: string }).plaintext, 'base64').toString()).toBe('secret');
    // Another generation id is another AAD: the ciphertext does not open.
    const other = await unixRequest(own, 'POST', `/modules/edgeHub/genid/g2/decrypt${q}`, {
      ciphertext: (enc.json as { ciphertext: string }).ciphertext,
      initializationVector: b64('iv'),
    });
    expect(other.status).toBe(400);

    const sig = await unixRequest(own, 'POST', `/modules/edgeHub/genid/g1/sign${q}`, { keyId: 'primary', algo: 'HMACSHA256', data: b64('abc') });
    expect(sig.json).toEqual({ digest: createHmac('sha256', MODULE_KEY).update('abc').digest('base64') });
  });
});

describe('workload API rules', () => {
  it('refuses, on a module\'s own socket, requests for another module', async () => {
    const res = await unixRequest(own, 'POST', '/modules/other/genid/1/sign?api-version=2019-01-30', { keyId: 'k', algo: 'HMACSHA256', data: b64('x') });
    expect(res.status).toBe(403);
    expect((res.json as { message: string }).message).toMatch(/module edgeHub may not act on behalf of other/);
  });

  it('answers bad input with 400 and the manifest trust bundle only from 2020-07-07', async () => {
    const bad = await unixRequest(shared, 'POST', '/modules/m/genid/1/sign?api-version=2019-01-30', { keyId: 'k', algo: 'HMACSHA256', data: '~~' });
    expect(bad.status).toBe(400);
    expect((await unixRequest(shared, 'POST', '/modules/m/genid/1/sign?api-version=2019-01-30')).status).toBe(400);
    expect((await unixRequest(shared, 'GET', '/trust-bundle')).status).toBe(400);
    expect((await unixRequest(shared, 'GET', '/manifest-trust-bundle?api-version=2019-01-30')).status).toBe(404);
    expect((await unixRequest(shared, 'GET', '/manifest-trust-bundle?api-version=2022-08-03')).status).toBe(200);
  });

  it('issues a server certificate whose chain verifies against the trust bundle', async () => {
    const res = await unixRequest(own, 'POST', '/modules/edgeHub/genid/1/certificate/server?api-version=2019-01-30', {
      commonName: '10.0.0.5',
      expiration: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const body = res.json as { certificate: string; privateKey: { type: string; bytes: string } };
    const [leaf] = splitPem(body.certificate);
    const bundle = (await unixRequest(own, 'GET', '/trust-bundle?api-version=2019-01-30')).json as { certificate: string };
    const root = new X509Certificate(splitPem(bundle.certificate)[0]);
    expect(new X509Certificate(leaf).verify(root.publicKey)).toBe(true);
    expect(new X509Certificate(leaf).subjectAltName).toBe('IP Address:10.0.0.5, DNS:edgeHub');
    expect(body.privateKey.type).toBe('key');
    expect(body.privateKey.bytes).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });

  it('refuses a module name that is not a container name (no socket outside <home>/mnt)', async () => {
    await expect(sockets.ensure('../escape')).rejects.toMatchObject({ httpStatus: 400 });
  });

  it('removes a module socket file with the module', async () => {
    const p = await sockets.ensure('gone');
    const fs = await import('node:fs');
    expect(fs.statSync(p).isSocket()).toBe(true);
    expect((fs.statSync(p).mode & 0o777)).toBe(0o666);
    await sockets.remove('gone');
    expect(fs.existsSync(p)).toBe(false);
  });

  it('is a plain ApiDefinition (the framework checks every route against its versions)', () => {
    expect(workloadApi({} as WorkloadDeps).routes).toHaveLength(8);
  });
});
