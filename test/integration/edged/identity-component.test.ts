/**
 * The identity component with an in-memory runtime and a fake IoT Hub: provisioning, edgeAgent
 * created by the watchdog, workload sockets following modules, and the old device's modules
 * removed when edged comes back as another device.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { generateKey } from '../../../src/certs/keygen';
import { parseSuperConfig } from '../../../src/config/load';
import type { EdgedContext } from '../../../src/edged/context';
import { identityComponent, identityComponentFor, type IdentityComponentOptions } from '../../../src/edged/identity-component';
import type { HubIdentityManager } from '../../../src/identity/manager';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';
import type Docker from 'dockerode';
import { FakeRuntime } from '../../helpers/fake-runtime';
import { makeTestTls, startFakeIotHub, TestTls } from '../../helpers/fake-iothub';
import { unixRequest } from '../../contract/helpers/unix-client';
import { eventually } from '../edge-agent/harness';

const HUB = 'hub.azure-devices.net';
let tls: TestTls;
let home: string;
beforeAll(() => (tls = makeTestTls()));
beforeEach(() => (home = mkdtempSync(path.join(os.tmpdir(), 'idcomp-'))));
afterEach(() => rmSync(home, { recursive: true, force: true }));

/** As createComponents does: the component over the engine's runtime (its layer is c.runtime). */
function composed(ctx: EdgedContext, opts: IdentityComponentOptions) {
  return identityComponent(ctx, ctx.engine, opts);
}

function context(runtime: FakeRuntime, toml: string): EdgedContext {
  return {
    config: parseSuperConfig(toml, { home }),
    home,
    logger: memoryLogger(),
    clock: runtime.clock,
    docker: {} as Docker,
    engine: runtime,
    deploymentLock: new Mutex(),
    signal: new AbortController().signal,
    fatal: () => undefined,
  };
}

const listen = () => `[listen]\nmanagement_uri = "unix://${home}/mgmt.sock"\nworkload_uri = "unix://${home}/workload.sock"\n`;
const manual = (device: string, key: Buffer) =>
  `[provisioning]\nsource = "manual"\nconnection_string = "HostName=${HUB};DeviceId=${device};SharedAccessKey=${key.toString('base64')}"\n` +
  `[agent]\nname = "edgeAgent"\ntype = "docker"\nimagePullPolicy = "never"\n[agent.config]\nimage = "agent:1"\n` +
  listen();

async function hubFor(device: string, key: Buffer) {
  const hub = await startFakeIotHub({ tls, hubHostname: HUB, deviceId: device, deviceKey: key });
  hub.modules.set('$edgeAgent', { moduleId: '$edgeAgent', deviceId: device, generationId: `gen-${device}`, etag: '"1"' });
  return hub;
}

const options = (host: string, mounts: Record<string, string[]> = {}) => ({
  cloudTls: { ca: tls.caPem },
  cloudHostOverride: { [HUB]: host },
  keySource: { take: () => generateKey('ec-p256'), close: () => undefined },
  containerMounts: async (name: string) => (mounts[name] ?? []).map((Source) => ({ Type: 'bind', Source })),
});

it('creates edgeAgent, gives modules sockets, and removes the old device\'s modules after a device change', async () => {
  const runtime = new FakeRuntime(new FakeClock(Date.now()));
  const key1 = randomBytes(32);
  const hub1 = await hubFor('dev1', key1);
  const ctx1 = context(runtime, manual('dev1', key1));
  const c1 = composed(ctx1, options(hub1.host));
  try {
    await c1.start();
    const agent = await eventually('edgeAgent running', async () => (await runtime.get('edgeAgent').catch(() => undefined))?.state.status === 'running');
    expect(agent).toBe(true);
    expect((await runtime.get('edgeAgent')).env).toMatchObject({ IOTEDGE_DEVICEID: 'dev1', IOTEDGE_MODULEGENERATIONID: 'gen-dev1' });
    expect(existsSync(path.join(home, 'mnt', 'edgeAgent', 'workload.sock'))).toBe(true);
    // Owned by the user edgeAgent's start script switches to (upstream: SocketUser=edgeagentuser).
    expect(statSync(path.join(home, 'mnt', 'edgeAgent', 'mgmt.sock')).uid).toBe(13622);
    expect(c1.identities()).toBeDefined();

    await c1.runtime.create({ name: 'sensor', type: 'docker', config: { image: 's:1', createOptions: {} }, env: {}, imagePullPolicy: 'never' });
    expect(existsSync(path.join(home, 'mnt', 'sensor', 'workload.sock'))).toBe(true);
  } finally {
    await c1.stop();
    await hub1.close();
  }
  expect(existsSync(path.join(home, 'workload.sock'))).toBe(false);

  const key2 = randomBytes(32);
  const hub2 = await hubFor('dev2', key2);
  runtime.calls.length = 0;
  const ctx2 = context(runtime, manual('dev2', key2));
  const c2 = composed(ctx2, options(hub2.host));
  try {
    await c2.start();
    expect(runtime.calls.slice(0, 2)).toEqual(['remove edgeAgent', 'remove sensor']);
    await eventually('edgeAgent of dev2', async () => (await runtime.get('edgeAgent').catch(() => undefined))?.env.IOTEDGE_DEVICEID === 'dev2');
    expect(existsSync(path.join(home, 'mnt', 'sensor'))).toBe(false);
  } finally {
    await c2.stop();
    await hub2.close();
  }
});

it('without [provisioning] (local deployment) serves certificates but no module identities, and starts no edgeAgent', async () => {
  const runtime = new FakeRuntime(new FakeClock(Date.now()));
  const ctx = context(runtime, `hostname = "lonely"\n[local_deployment]\nfile = "/tmp/deployment.json"\n${listen()}`);
  const c = identityComponentFor(ctx, ctx.engine, options('localhost:1'))!;
  try {
    await c.start();
    const socket = path.join(home, 'workload.sock');
    expect((await unixRequest(socket, 'GET', '/trust-bundle?api-version=2019-01-30')).status).toBe(200);
    const sign = await unixRequest(socket, 'POST', '/modules/m1/genid/1/sign?api-version=2019-01-30', { keyId: 'k', algo: 'HMACSHA256', data: 'aGk=' });
    expect(sign.status).toBe(501);
    expect(c.identities()).toBeUndefined();
    expect(runtime.calls).toEqual([]);
    expect((ctx.logger as ReturnType<typeof memoryLogger>).lines.some((l) => l.includes('there is no edgeAgent'))).toBe(true);
  } finally {
    await c.stop();
  }
  // Neither [provisioning] nor [local_deployment]: no component; edged serves its placeholder.
  expect(identityComponentFor(context(runtime, listen()), runtime)).toBeUndefined();
});

it('prefer_module_identity_cache: false (the default) asks IoT Hub for a module identity first, true reads the cache', async () => {
  for (const prefer of [false, true]) {
    const runtime = new FakeRuntime(new FakeClock(Date.now()));
    const key = randomBytes(32);
    const hub = await hubFor('dev1', key);
    const ctx = context(runtime, `prefer_module_identity_cache = ${prefer}\n${manual('dev1', key)}`);
    const c = composed(ctx, options(hub.host));
    try {
      await c.start();
      await eventually('edgeAgent running', async () => (await runtime.get('edgeAgent').catch(() => undefined))?.state.status === 'running');
      const asked = () => hub.requests.filter((r) => r.method === 'GET' && r.path.endsWith('/modules/$edgeAgent')).length;
      const before = asked();
      await (c.identities() as HubIdentityManager).get('$edgeAgent');
      expect(asked() - before).toBe(prefer ? 0 : 1);
    } finally {
      await c.stop();
      await hub.close();
      rmSync(path.join(home, 'identity'), { recursive: true, force: true });
    }
  }
});

it('a missing imported_master_encryption_key stops the component at start with a configuration error', async () => {
  const runtime = new FakeRuntime(new FakeClock(Date.now()));
  const file = path.join(home, 'old', 'edgelet-master.enc.key');
  const ctx = context(runtime, `hostname = "h"\nimported_master_encryption_key = "${file}"\n[local_deployment]\nfile = "/tmp/deployment.json"\n${listen()}`);
  const c = identityComponentFor(ctx, ctx.engine, options('localhost:1'))!;
  await expect(c.start()).rejects.toMatchObject({ exitCode: 153, message: `imported_master_encryption_key: cannot read ${file} (ENOENT)` });
  await c.stop();
});

it('adopts running modules as they are on a restart of edged: their bound directories get the new sockets', async () => {
  const runtime = new FakeRuntime(new FakeClock(Date.now()));
  const key = randomBytes(32);
  const hub = await hubFor('dev1', key);
  try {
    for (let round = 0; round < 2; round++) {
      const ctx = context(runtime, manual('dev1', key));
      const c = composed(ctx, options(hub.host, { edgeAgent: [path.join(home, 'mnt', 'edgeAgent')] }));
      await c.start();
      await eventually('edgeAgent running', async () => (await runtime.get('edgeAgent').catch(() => undefined))?.state.status === 'running');
      if (round === 0) await c.runtime.create({ name: 'sensor', type: 'docker', config: { image: 's:1', createOptions: {} }, env: {}, imagePullPolicy: 'never' });
      await c.stop();
      // The directories stay for the containers that bind them; the sockets go with edged.
      expect(existsSync(path.join(home, 'mnt', 'sensor'))).toBe(true);
      expect(existsSync(path.join(home, 'mnt', 'sensor', 'workload.sock'))).toBe(false);
    }
    expect(runtime.calls).toEqual(['create edgeAgent', 'start edgeAgent', 'create sensor']);
  } finally {
    await hub.close();
  }
});

it('restarts a module whose container binds its socket file (made before directories), recreates such an edgeAgent, and says why', async () => {
  const runtime = new FakeRuntime(new FakeClock(Date.now()));
  const spec = (name: string) => ({ name, type: 'docker' as const, config: { image: `${name}:1`, createOptions: {} }, env: {}, imagePullPolicy: 'never' as const });
  for (const name of ['edgeAgent', 'old', 'stopped', 'fresh']) {
    await runtime.create(spec(name));
    if (name !== 'stopped') await runtime.start(name);
  }
  runtime.calls.length = 0;
  const file = (m: string) => path.join(home, 'mnt', `${m}.sock`);
  const key = randomBytes(32);
  const hub = await hubFor('dev1', key);
  const ctx = context(runtime, manual('dev1', key));
  const c = composed(ctx, options(hub.host, { edgeAgent: [file('edgeAgent'), path.join(home, 'mgmt.sock')], old: [file('old')], stopped: [file('stopped')], fresh: [path.join(home, 'mnt', 'fresh')] }));
  try {
    await c.start();
    await eventually('edgeAgent recreated', async () => runtime.calls.includes('start edgeAgent'));
    // (The in-memory runtime records a restart as restart + start.)
    expect(runtime.calls).toEqual(['remove edgeAgent', 'restart old', 'start old', 'create edgeAgent', 'start edgeAgent']);
    // The containers that bind the file find it served again (a stopped one, when it starts).
    expect(existsSync(file('old'))).toBe(true);
    expect(existsSync(file('stopped'))).toBe(true);
    expect(existsSync(file('fresh'))).toBe(false);
    const lines = (ctx.logger as ReturnType<typeof memoryLogger>).lines;
    expect(lines.some((l) => l.includes('Restarting module old: its container binds its workload socket as a file'))).toBe(true);
    expect(lines.some((l) => l.includes('Recreating edgeAgent: it binds its sockets as files'))).toBe(true);
  } finally {
    await c.stop();
    await hub.close();
  }
  expect(existsSync(file('old'))).toBe(false);
});

it('goes back to DPS when IoT Hub refuses a DPS-provisioned device (Dynamic mode)', async () => {
  const { startFakeDps } = await import('../../helpers/fake-dps');
  const { systemClock } = await import('../../../src/util/clock');
  const enrollment = randomBytes(32);
  const dps = await startFakeDps({ tls, idScope: 'scope1', keys: { r1: enrollment }, assignedHub: HUB });
  // The hub knows another key for r1: every request is refused.
  const hub = await hubFor('r1', randomBytes(32));
  const runtime = new FakeRuntime(new FakeClock(Date.now()));
  const toml =
    `[provisioning]\nsource = "dps"\nglobal_endpoint = "${dps.url}"\nid_scope = "scope1"\n` +
    `[provisioning.attestation]\nmethod = "symmetric_key"\nregistration_id = "r1"\nsymmetric_key = { value = "${enrollment.toString('base64')}" }\n` +
    `[agent]\nname = "edgeAgent"\ntype = "docker"\nimagePullPolicy = "never"\n[agent.config]\nimage = "agent:1"\n` +
    listen();
  const ctx = { ...context(runtime, toml), clock: systemClock };
  const c = composed(ctx, { ...options(hub.host), dpsPollIntervalMs: 1 });
  try {
    await c.start();
    expect(dps.registrations).toEqual(['r1']);
    await eventually('a second DPS registration', async () => dps.registrations.length === 2);
    expect((ctx.logger as ReturnType<typeof memoryLogger>).lines.some((l) => l.includes('registering with DPS again'))).toBe(true);
  } finally {
    await c.stop();
    await hub.close();
    await dps.close();
  }
});
