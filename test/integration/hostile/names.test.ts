/**
 * Hostile module names on every route of both APIs, against a real edged (management API) and
 * the real identity component (workload API) on private real engines: each is refused with a
 * 400 before anything reaches the engine, nothing reaches a TCP listener the names point at, and
 * edged still answers afterwards.
 */
import * as net from 'node:net';
import { MANAGEMENT_API_VERSIONS, DEFAULT_MANAGEMENT_API_VERSION } from '../../../src/api/management';
import { WORKLOAD_API_VERSIONS } from '../../../src/api/workload/routes';
import { unixRequest } from '../../contract/helpers/unix-client';
import { startEdged, type EdgedUnderTest } from '../../helpers/edged';
import { startTestEngine, type TestEngine } from '../../helpers/engine';
import { AGENT_IMAGE, Harness, startHarness } from '../edge-agent/harness';

let edged: EdgedUnderTest;
let engine: TestEngine;
let harness: Harness;
let trap: net.Server;
const reached: string[] = [];
let port = 0;

beforeAll(async () => {
  trap = net.createServer((s) => {
    s.on('data', (d) => reached.push(d.toString().split('\r\n')[0]));
    s.on('error', () => undefined);
    s.end();
  });
  await new Promise<void>((r) => trap.listen(0, '127.0.0.1', r));
  port = (trap.address() as net.AddressInfo).port;
  [edged, engine] = await Promise.all([
    startEdged({ prefix: 'hostile-names-', listen: true }),
    startTestEngine({ images: [AGENT_IMAGE] }),
  ]);
  harness = await startHarness(engine);
}, 120_000);

afterAll(async () => {
  await harness?.stop();
  for (const c of (await engine?.docker.listContainers({ all: true })) ?? []) await engine.docker.getContainer(c.Id).remove({ force: true });
  await Promise.all([edged?.stop(), engine?.stop()]);
  await new Promise((r) => trap?.close(r));
});

/** As they appear in a path segment (already encoded once, as a client would send them). */
const names = () => [
  `..%2F..%2F127.0.0.1:${port}%2Fpwn`,
  `..%2F..%2F%2F127.0.0.1:${port}%2Fpwn`,
  '..%2F..%2Fetc',
  `%2E%2E%2F%2E%2E%2F127.0.0.1:${port}%2Fpwn`,
  '%2E%2E',
  `..%252F..%252F127.0.0.1:${port}%252Fpwn`,
  'a%00b',
  'm%C3%B3dulo',
  '%F0%9F%92%A3',
  '%ZZ',
  'x'.repeat(10_240),
  'x'.repeat(129),
];

const MANAGEMENT_ROUTES: [string, string][] = [
  ['GET', '/modules/{name}'],
  ['PUT', '/modules/{name}'],
  ['DELETE', '/modules/{name}'],
  ['POST', '/modules/{name}/prepareupdate'],
  ['POST', '/modules/{name}/start'],
  ['POST', '/modules/{name}/stop'],
  ['POST', '/modules/{name}/restart'],
  ['GET', '/modules/{name}/logs'],
  ['PUT', '/identities/{name}'],
  ['DELETE', '/identities/{name}'],
];

const WORKLOAD_ROUTES: [string, string][] = [
  ['POST', '/modules/{name}/genid/1/sign'],
  ['POST', '/modules/{name}/genid/1/encrypt'],
  ['POST', '/modules/{name}/genid/1/decrypt'],
  ['POST', '/modules/{name}/genid/1/certificate/server'],
  ['POST', '/modules/{name}/certificate/identity'],
  ['POST', '/modules/edgeAgent/genid/{name}/sign'],
];

/** Not a route at all (404): %ZZ does not decode, and URL parsing takes %2E%2E for a ".." step. */
const NOT_A_ROUTE = new Set(['%ZZ', '%2E%2E']);
const expected = (name: string) => (NOT_A_ROUTE.has(name) ? 404 : 400);

const spec = (name: string) => ({ name, type: 'docker', config: { settings: { image: 'edge-test/busybox:1' } } });

it('refuses every hostile name on every management route with a 400, and nothing reaches the engine or the listener', async () => {
  const latest = MANAGEMENT_API_VERSIONS[MANAGEMENT_API_VERSIONS.length - 1];
  for (const [method, template] of MANAGEMENT_ROUTES) {
    for (const name of names()) {
      const body = method === 'PUT' && template.startsWith('/modules') ? spec('ok-name') : method === 'PUT' ? { generationId: '1' } : method === 'POST' && template.endsWith('prepareupdate') ? spec('ok-name') : undefined;
      const res = await unixRequest(edged.mgmt, method, `${template.replace('{name}', name)}?api-version=${latest}`, body);
      expect({ route: `${method} ${template}`, name: name.slice(0, 60), status: res.status }).toEqual({
        route: `${method} ${template}`,
        name: name.slice(0, 60),
        status: expected(name),
      });
      expect(res.text.length).toBeLessThan(600);
    }
  }
  expect(reached).toEqual([]);
}, 120_000);

it('refuses hostile names in a ModuleSpec body, on create and update', async () => {
  for (const name of ['../../etc', `../../127.0.0.1:${port}/pwn`, 'a\0b', 'x'.repeat(10_240)]) {
    const created = await unixRequest(edged.mgmt, 'POST', `/modules?api-version=${DEFAULT_MANAGEMENT_API_VERSION}`, spec(name));
    expect(created.status).toBe(400);
    expect((created.json as { message: string }).message).toMatch(/^invalid module spec name /);
  }
  expect(reached).toEqual([]);
});

it('refuses every hostile name on every workload route with a 400', async () => {
  const latest = WORKLOAD_API_VERSIONS[WORKLOAD_API_VERSIONS.length - 1];
  const workload = harness.ctx.config.listen.workload_uri.replace(/^unix:\/\//, '');
  for (const [method, template] of WORKLOAD_ROUTES) {
    for (const name of names()) {
      const res = await unixRequest(workload, method, `${template.replace('{name}', name)}?api-version=${latest}`, { data: 'YQ==', plaintext: 'YQ==', ciphertext: 'YQ==', initializationVector: 'YQ==', commonName: 'x' });
      expect({ route: template, name: name.slice(0, 60), status: res.status }).toEqual({ route: template, name: name.slice(0, 60), status: expected(name) });
    }
  }
  expect(reached).toEqual([]);
}, 120_000);

it('still answers afterwards, and never logged a crash', async () => {
  const list = await unixRequest(edged.mgmt, 'GET', `/modules?api-version=${DEFAULT_MANAGEMENT_API_VERSION}`);
  expect(list.status).toBe(200);
  expect(edged.log.filter((l) => /nothing caught|uncaught/i.test(l))).toEqual([]);
  expect(reached).toEqual([]);
});
