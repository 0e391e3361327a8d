/**
 * edged restarting while modules run, on a real engine: the modules' socket directories are bound
 * into their containers, so the sockets a new edged creates reach them with no restart; a
 * request from inside works before, fails while edged is down, and works again after. A container
 * made before directories (binding its socket file) is the one case restarted, and edged says why.
 */
import { createHmac } from 'node:crypto';
import { rmSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { KeyStore, deriveModuleKeys } from '../../../src/identity/keys';
import { DockerModuleRuntime } from '../../../src/runtime/docker/runtime';
import type { ModuleSpec } from '../../../src/runtime/types';
import { memoryLogger } from '../../../src/util/log';
import { startTestEngine, TestEngine } from '../../helpers/engine';
import { Answer, NODE_BINDS, fromInside as insideContainer } from '../../helpers/socket-request';
import { AGENT_IMAGE, Harness, eventually, startHarness } from '../edge-agent/harness';

const NODE = NODE_BINDS;
const WORKLOAD = '/var/run/iotedge/workload.sock';
const MGMT = '/var/run/iotedge/mgmt.sock';
// Exits at once on SIGTERM, so that a restart is quick.
const CMD = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];

let engine: TestEngine;
let h: Harness;

beforeAll(async () => {
  engine = await startTestEngine({ images: ['edge-test/busybox:1', AGENT_IMAGE] });
  h = await startHarness(engine, { agentBinds: NODE });
}, 120_000);

afterAll(async () => {
  await h?.stop();
  for (const c of (await engine?.docker.listContainers({ all: true })) ?? []) {
    await engine.docker.getContainer(c.Id).remove({ force: true });
  }
  await engine?.stop();
});

const inspect = (name: string) => engine.docker.getContainer(name).inspect();

const fromInside = (container: string, socket: string, method: string, urlPath: string, body = '', user = '0') =>
  insideContainer(engine.host, container, socket, method, urlPath, body, user);

const moduleSpec = (name: string, binds: string[], env: Record<string, string> = {}): ModuleSpec => ({
  name,
  type: 'docker',
  imagePullPolicy: 'never',
  env,
  config: { image: 'edge-test/busybox:1', createOptions: { Cmd: CMD, HostConfig: { Binds: binds } } },
});

it('edged restarted: a module and edgeAgent reach the new sockets from inside, and neither is restarted', async () => {
  const agentBefore = await eventually('edgeAgent running', async () => ((await inspect('edgeAgent')).State.Running ? inspect('edgeAgent') : undefined));
  const { generationId } = await h.component.identities()!.create('client');
  // The socket file, as upstream's edgeAgent asks for it: edged binds the module's directory instead.
  await h.component.runtime.create(moduleSpec('client', [...NODE, `${h.home}/mnt/client.sock:${WORKLOAD}`]));
  await h.component.runtime.start('client');
  const clientBefore = await inspect('client');
  expect(clientBefore.HostConfig.Binds).toContain(`${h.home}/mnt/client:/var/run/iotedge:ro`);

  const key = deriveModuleKeys((await KeyStore.under(h.home).read('master-identity'))!, 'client', generationId).primary;
  const sign = () =>
    fromInside('client', WORKLOAD, 'POST', `/modules/client/genid/${generationId}/sign?api-version=2019-01-30`, JSON.stringify({ keyId: 'primary', algo: 'HMACSHA256', data: Buffer.from('hi').toString('base64') }));
  const signed = { status: 200, body: JSON.stringify({ digest: createHmac('sha256', key).update('hi').digest('base64') }) };
  // As the user upstream's edgeAgent drops to (EDGEAGENTUSER_ID, default 13622): the management socket is its.
  const listModules = () => fromInside('edgeAgent', MGMT, 'GET', '/modules?api-version=2022-08-03', '', '13622');
  const names = (a: Answer) => ('body' in a ? (JSON.parse(a.body).modules as { name: string }[]).map((m) => m.name).sort() : a);

  expect(await sign()).toEqual(signed);
  expect(names(await listModules())).toEqual(['client', 'edgeAgent']);

  await h.stopEdged();
  // Down: the sockets went with edged (the directories stay bound).
  expect(await sign()).toEqual({ error: 'ENOENT' });
  expect(await listModules()).toEqual({ error: 'ENOENT' });

  await h.startEdged();
  expect(await sign()).toEqual(signed);
  expect(names(await listModules())).toEqual(['client', 'edgeAgent']);

  const [clientAfter, agentAfter] = await Promise.all([inspect('client'), inspect('edgeAgent')]);
  const life = (i: typeof clientAfter) => ({ id: i.Id, startedAt: i.State.StartedAt, running: i.State.Running, restarts: i.RestartCount });
  expect(life(clientAfter)).toEqual(life(clientBefore));
  expect(life(agentAfter)).toEqual(life(agentBefore));
  expect(h.logs.filter((l) => /Restarting|Recreating|Creating and starting/.test(l))).toEqual([]);
}, 60_000);

it('a container that binds its socket file (made before directories) is restarted once, and edged says why', async () => {
  const file = path.join(h.home, 'mnt', 'legacy.sock');
  // What an older edged left: a module whose container binds the socket file itself.
  const old = net.createServer();
  await new Promise<void>((resolve) => old.listen(file, resolve));
  const bare = new DockerModuleRuntime({ docker: engine.docker, logger: memoryLogger(), network: 'azure-iot-edge' });
  await bare.create(moduleSpec('legacy', [...NODE, `${file}:${WORKLOAD}`]));
  await bare.start('legacy');
  const before = await inspect('legacy');
  const client = await inspect('client');

  await h.stopEdged();
  await new Promise<void>((resolve) => old.close(() => resolve()));
  rmSync(file, { force: true });
  await h.startEdged();

  const after = await inspect('legacy');
  expect(after.Id).toBe(before.Id);
  expect(after.State.Running).toBe(true);
  expect(after.State.StartedAt).not.toBe(before.State.StartedAt);
  expect(await fromInside('legacy', WORKLOAD, 'GET', '/trust-bundle?api-version=2019-01-30')).toMatchObject({ status: 200 });
  expect(h.logs.some((l) => l.includes('Restarting module legacy: its container binds its workload socket as a file'))).toBe(true);
  expect(h.logs.filter((l) => /Restarting module (client|edgeAgent)|Recreating/.test(l))).toEqual([]);
  // The others stay as they were.
  expect((await inspect('client')).State.StartedAt).toBe(client.State.StartedAt);
}, 60_000);
