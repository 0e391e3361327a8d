/**
 * Who may reach the workload sockets, on a real engine with the real identity component: another
 * host user (nobody) reaches neither the shared socket nor any module's, even with edged's home
 * as open as the snap's directories are (0755); a module reaches its own socket from inside its
 * container as any user, and cannot act for another module there.
 */
import { chmodSync, readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { ModuleSpec } from '../../../src/runtime/types';
import { unixRequest } from '../../contract/helpers/unix-client';
import { startTestEngine, type TestEngine } from '../../helpers/engine';
import { asUser, fromInside, NODE_BINDS } from '../../helpers/socket-request';
import { AGENT_IMAGE, eventually, Harness, startHarness } from '../edge-agent/harness';

const NOBODY = 65534;
const WORKLOAD = '/var/run/iotedge/workload.sock';
const V = 'api-version=2022-08-03';
const SIGN = JSON.stringify({ keyId: 'primary', algo: 'HMACSHA256', data: Buffer.from('hi').toString('base64') });

let engine: TestEngine;
let h: Harness;
let generationId: string;

beforeAll(async () => {
  engine = await startTestEngine({ images: ['edge-test/busybox:1', AGENT_IMAGE] });
  h = await startHarness(engine);
  // The snap's home and its parents are 0755: only edged's own modes may keep others out.
  chmodSync(h.home, 0o755);
  ({ generationId } = await h.component.identities()!.create('m1'));
  await h.component.identities()!.create('m2');
  const spec = (name: string): ModuleSpec => ({
    name,
    type: 'docker',
    imagePullPolicy: 'never',
    env: {},
    config: {
      image: 'edge-test/busybox:1',
      createOptions: { Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'], HostConfig: { Binds: [...NODE_BINDS, `${h.home}/mnt/${name}.sock:${WORKLOAD}`] } },
    },
  });
  for (const m of ['m1', 'm2']) {
    await h.component.runtime.create(spec(m));
    await h.component.runtime.start(m);
  }
  await eventually('edgeAgent created', async () => readdirSync(path.join(h.home, 'mnt')).includes('edgeAgent') || undefined);
}, 120_000);

afterAll(async () => {
  await h?.stop();
  for (const c of (await engine?.docker.listContainers({ all: true })) ?? []) await engine.docker.getContainer(c.Id).remove({ force: true });
  await engine?.stop();
});

const shared = () => h.ctx.config.listen.workload_uri.replace(/^unix:\/\//, '');
const own = (m: string) => path.join(h.home, 'mnt', m, 'workload.sock');

it('keeps the shared socket to edged\'s user and <home>/mnt closed', () => {
  expect(statSync(shared()).mode & 0o777).toBe(0o600);
  expect(statSync(path.join(h.home, 'mnt')).mode & 0o777).toBe(0o700);
});

it('lets another host user reach neither the shared socket nor any module\'s', async () => {
  expect(await asUser(NOBODY, shared(), 'POST', `/modules/m1/genid/${generationId}/sign?${V}`, SIGN)).toEqual({ error: 'EACCES' });
  for (const m of ['m1', 'm2', 'edgeAgent']) {
    expect({ m, answer: await asUser(NOBODY, own(m), 'POST', `/modules/${m}/genid/${generationId}/sign?${V}`, SIGN) }).toEqual({ m, answer: { error: 'EACCES' } });
  }
  // Root, for contrast, is answered on the shared socket.
  expect((await unixRequest(shared(), 'POST', `/modules/m1/genid/${generationId}/sign?${V}`, JSON.parse(SIGN))).status).toBe(200);
});

it('lets a module reach its own socket from inside as any user, and refuses it another module\'s name (403)', async () => {
  const signOwn = await fromInside(engine.host, 'm1', WORKLOAD, 'POST', `/modules/m1/genid/${generationId}/sign?${V}`, SIGN, String(NOBODY));
  expect(signOwn).toMatchObject({ status: 200 });
  for (const other of ['m2', '$edgeAgent', 'edgeAgent']) {
    const answer = await fromInside(engine.host, 'm1', WORKLOAD, 'POST', `/modules/${encodeURIComponent(other)}/genid/1/certificate/server?${V}`, JSON.stringify({ commonName: 'x' }));
    expect({ other, status: 'status' in answer ? answer.status : answer }).toEqual({ other, status: 403 });
  }
  const decrypt = await fromInside(engine.host, 'm1', WORKLOAD, 'POST', `/modules/m2/genid/1/decrypt?${V}`, JSON.stringify({ ciphertext: 'YQ==', initializationVector: 'YQ==' }));
  expect(decrypt).toMatchObject({ status: 403 });
}, 60_000);
