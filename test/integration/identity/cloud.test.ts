/**
 * The IoT Hub and DPS clients against fake HTTPS services on loopback: every path, header
 * (SAS signatures verified by the fakes) and body, retries and time-outs, and provisioning.
 */
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { UnavailableError } from '../../../src/errors';
import { registerWithDps } from '../../../src/identity/cloud/dps-client';
import { HubClient, HubDevice } from '../../../src/identity/cloud/hub-client';
import { KeyStore, deriveModuleKeys } from '../../../src/identity/keys';
import { HubIdentityManager, SIGN_LOOKUP_CAP_MS, SKIP_HUB_AFTER_FAILURE_MS } from '../../../src/identity/manager';
import { planProvisioning } from '../../../src/identity/provisioning/plan';
import { provision } from '../../../src/identity/provisioning/provision';
import { deriveGroupDeviceKey } from '../../../src/identity/sas';
import { IdentityStore } from '../../../src/identity/store';
import type { Clock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { startFakeDps } from '../../helpers/fake-dps';
import { TestTls, checkSas, makeTestTls, startFakeHttps, startFakeIotHub } from '../../helpers/fake-iothub';
import { manualProvisioning } from '../../helpers/config';

const HUB = 'TestHub.azure-devices.net';
const DEVICE_KEY = Buffer.from('0123456789abcdef0123456789abcdef');

/** A clock whose sleeps pass instantly, moving time forward. */
function instantClock(start = Date.now()): Clock & { slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms: number) => void (slept.push(ms), (t += ms)) };
}

describe('IoT Hub module identities', () => {
  let tls: TestTls;
  let home: string;
  beforeAll(() => (tls = makeTestTls()));
  beforeEach(async () => (home = await fs.mkdtemp(path.join(os.tmpdir(), 'hub-'))));
  afterEach(() => fs.rm(home, { recursive: true, force: true }));

  it('creates, keys, reads, lists and deletes module identities exactly as upstream', async () => {
    const hub = await startFakeIotHub({ tls, hubHostname: HUB, deviceId: 'dev 1', deviceKey: DEVICE_KEY });
    try {
      const device: HubDevice = { hubHostname: HUB, gatewayHostname: hub.host, deviceId: 'dev 1', credentials: { type: 'sas', key: DEVICE_KEY } };
      const keys = KeyStore.under(home);
      const store = IdentityStore.under(home);
      const client = new HubClient(device, { timeoutMs: 5000, retries: 0, tls: { ca: tls.caPem } });
      const ids = new HubIdentityManager(client, keys, store, memoryLogger());

      const created = await ids.create('$edgeAgent', 'iotedge');
      const generationId = hub.modules.get('$edgeAgent')!.generationId;
      expect(created).toEqual({ moduleId: '$edgeAgent', managedBy: 'iotedge', generationId, authType: 'Sas' });

      const [create, setKeys] = hub.requests;
      expect(create.method).toBe('PUT');
      expect(create.path).toBe('/devices/dev%201/modules/$edgeAgent');
      expect(create.query.get('api-version')).toBe('2017-11-08-preview');
      expect(create.headers['if-match']).toBeUndefined();
      expect(create.headers['content-type']).toBe('application/json');
      expect(create.body).toEqual({ moduleId: '$edgeAgent', deviceId: 'dev 1', managedBy: 'iotedge' });
      expect(checkSas(create.headers.authorization as string, { audience: `${HUB}/devices/dev 1`, key: DEVICE_KEY })).toBeUndefined();
      expect(create.headers.authorization).toMatch(/^SharedAccessSignature sr=testhub\.azure-devices\.net\/devices\/dev%201&sig=.+&se=\d+$/);

      const master = (await keys.read('master-identity'))!;
      const derived = deriveModuleKeys(master, '$edgeAgent', generationId);
      expect(setKeys.method).toBe('PUT');
      expect(setKeys.headers['if-match']).toBe('*');
      expect(setKeys.body).toEqual({
        moduleId: '$edgeAgent',
        deviceId: 'dev 1',
        managedBy: 'iotedge',
        authentication: {
          symmetricKey: { primaryKey: derived.primary.toString('base64'), secondaryKey: derived.secondary.toString('base64') },
          type: 'sas',
        },
      });

      // update: GET then PUT If-Match with the same derived keys.
      hub.requests.length = 0;
      await ids.update('$edgeAgent');
      expect(hub.requests.map((r) => `${r.method} ${r.headers['if-match'] ?? ''}`)).toEqual(['GET ', 'PUT *']);

      // get: served from the cache, no request.
      hub.requests.length = 0;
      expect(await ids.get('$edgeAgent')).toMatchObject({ generationId, deviceId: 'dev 1', hubHostname: HUB });
      expect(await ids.moduleKey('$edgeAgent')).toEqual(derived.primary);
      expect(hub.requests).toHaveLength(0);

      await ids.create('mod2');
      expect((await ids.list()).map((m) => m.moduleId)).toEqual(['$edgeAgent', 'mod2']);
      expect(hub.requests.at(-1)).toMatchObject({ method: 'GET', path: '/devices/dev%201/modules' });

      hub.requests.length = 0;
      await ids.remove('mod2');
      expect(hub.requests[0]).toMatchObject({ method: 'DELETE', path: '/devices/dev%201/modules/mod2' });
      expect(hub.requests[0].headers['if-match']).toBe('*');
      await expect(ids.remove('mod2')).rejects.toMatchObject({ httpStatus: 404 });
      await expect(ids.get('mod2')).rejects.toMatchObject({ httpStatus: 404 });
      await expect(ids.create('')).rejects.toMatchObject({ httpStatus: 400 });
    } finally {
      await hub.close();
    }
  });

  it('refuses a wrong device key with the hub\'s message', async () => {
    const hub = await startFakeIotHub({ tls, hubHostname: HUB, deviceId: 'd', deviceKey: DEVICE_KEY });
    try {
      const client = new HubClient(
        { hubHostname: HUB, gatewayHostname: hub.host, deviceId: 'd', credentials: { type: 'sas', key: Buffer.from('wrong') } },
        { timeoutMs: 5000, retries: 0, tls: { ca: tls.caPem } },
      );
      await expect(client.listModules()).rejects.toThrow(/Unauthorized: bad signature \(HTTP 401\)/);
    } finally {
      await hub.close();
    }
  });

  it('authenticates with the device X.509 certificate on the TLS layer', async () => {
    const hub = await startFakeIotHub({ tls, hubHostname: HUB, deviceId: 'xdev' });
    try {
      const id = tls.client('xdev');
      const client = new HubClient(
        { hubHostname: HUB, gatewayHostname: hub.host, deviceId: 'xdev', credentials: { type: 'x509', certPem: id.certPem, keyPem: id.keyPem, certFile: '', keyFile: '' } },
        { timeoutMs: 5000, retries: 0, tls: { ca: tls.caPem } },
      );
      expect(await client.listModules()).toEqual([]);
      expect(hub.requests[0].headers.authorization).toBeUndefined();
      expect(hub.requests[0].clientCn).toBe('xdev');
    } finally {
      await hub.close();
    }
  });

  it('honours cloud_timeout_sec per attempt and cloud_retries', async () => {
    const server = await startFakeHttps(tls, () => 'hang');
    try {
      const clock = instantClock();
      const client = new HubClient(
        { hubHostname: HUB, gatewayHostname: server.host, deviceId: 'd', credentials: { type: 'sas', key: DEVICE_KEY } },
        { timeoutMs: 1000, retries: 2, clock, tls: { ca: tls.caPem } },
      );
      const err = await client.getModule('m').catch((e) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err.message).toMatch(/no answer within 1000 ms/);
      expect(server.requests).toHaveLength(3);
      expect(clock.slept).toEqual([3000, 3000]);
    } finally {
      await server.close();
    }
  });
});

describe('cloud_timeout_sec', () => {
  /** A "hub" that accepts TCP and never says a word: no TLS handshake, no answer. */
  async function silentServer() {
    const sockets = new Set<net.Socket>();
    const server = net.createServer((s) => void sockets.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    let connections = 0;
    server.on('connection', () => connections++);
    return {
      connections: () => connections,
      host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
      close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
    };
  }

  it('signing with a hub that never answers waits one attempt of 5 s, then signs with the cached identity and skips the hub for a minute', async () => {
    const server = await silentServer();
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'hub-down-'));
    try {
      const clock = instantClock();
      const device: HubDevice = { hubHostname: HUB, gatewayHostname: server.host, deviceId: 'd', credentials: { type: 'sas', key: DEVICE_KEY } };
      // The default cloud_timeout_sec and cloud_retries: a plain lookup would wait 10 + 3 + 10 s.
      const client = new HubClient(device, { timeoutMs: 10_000, retries: 1, clock, tls: {} });
      const keys = KeyStore.under(home);
      const store = IdentityStore.under(home);
      await store.writeModules(device, { sensor: { generationId: 'g1', managedBy: 'iotedge' } });
      const logger = memoryLogger();
      const ids = new HubIdentityManager(client, keys, store, logger, false, clock);
      const expected = (await keys.moduleKeys('sensor', 'g1')).primary;

      const started = process.hrtime.bigint();
      expect(await ids.moduleKey('sensor')).toEqual(expected);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      expect(elapsed).toBeGreaterThan(0.9 * SIGN_LOOKUP_CAP_MS);
      expect(elapsed).toBeLessThan(1.5 * SIGN_LOOKUP_CAP_MS);
      expect(server.connections()).toBe(1);
      expect(logger.lines.join('\n')).toMatch(/IoT Hub did not answer .*: signing with cached module identities for 60 s/);

      // Within the minute: the cache, without asking.
      expect(await ids.moduleKey('sensor')).toEqual(expected);
      expect(server.connections()).toBe(1);
      // After it: IoT Hub is asked again (upstream's prefer_module_identity_cache = false).
      await clock.sleep(SKIP_HUB_AFTER_FAILURE_MS);
      expect(await ids.moduleKey('sensor')).toEqual(expected);
      expect(server.connections()).toBe(2);
    } finally {
      await server.close();
      await fs.rm(home, { recursive: true, force: true });
    }
  }, 30_000);

  it('signing with a hub that refuses connections falls back to the cache at once', async () => {
    const server = await silentServer();
    const host = server.host;
    await server.close();
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'hub-refused-'));
    try {
      const device: HubDevice = { hubHostname: HUB, gatewayHostname: host, deviceId: 'd', credentials: { type: 'sas', key: DEVICE_KEY } };
      const clock = instantClock();
      const keys = KeyStore.under(home);
      const store = IdentityStore.under(home);
      await store.writeModules(device, { sensor: { generationId: 'g1' } });
      const ids = new HubIdentityManager(new HubClient(device, { timeoutMs: 10_000, retries: 1, clock, tls: {} }), keys, store, memoryLogger(), false, clock);
      expect(await ids.moduleKey('sensor')).toEqual((await keys.moduleKeys('sensor', 'g1')).primary);
      // No retry delay was waited: one attempt only.
      expect(clock.slept).toEqual([]);
      // An identity that was never cached still fails, saying why.
      await expect(ids.moduleKey('unknown')).rejects.toThrow(/cannot reach/);
    } finally {
      await fs.rm(home, { recursive: true, force: true });
    }
  });

  it.each([
    [1000, 0],
    [2000, 0],
    [1000, 1],
  ])('a request to a hub that never answers waits the setting (%i ms) per attempt, not twice it (%i retries)', async (timeoutMs, retries) => {
    const server = await silentServer();
    try {
      const clock = instantClock();
      const client = new HubClient(
        { hubHostname: HUB, gatewayHostname: server.host, deviceId: 'd', credentials: { type: 'sas', key: DEVICE_KEY } },
        { timeoutMs, retries, clock, tls: {} },
      );
      const started = process.hrtime.bigint();
      const err = await client.getModule('m').catch((e) => e);
      const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err.message).toMatch(new RegExp(`no answer within ${timeoutMs} ms`));
      const attempts = retries + 1;
      // Generous bounds (a loaded machine): the old socket idle timeout took about 2x.
      expect(elapsed).toBeGreaterThan(0.9 * attempts * timeoutMs);
      expect(elapsed).toBeLessThan(1.5 * attempts * timeoutMs);
    } finally {
      await server.close();
    }
  });
});

describe('DPS', () => {
  let tls: TestTls;
  beforeAll(() => (tls = makeTestTls()));

  it('registers a symmetric key (individual) and polls the operation until assigned', async () => {
    const key = Buffer.from('individual-key-0123456789');
    const dps = await startFakeDps({ tls, idScope: '0ne00ABC', keys: { 'reg 1': key }, assignedHub: HUB, deviceIds: { 'reg 1': 'dev-1' }, pollsBeforeAssigned: 2 });
    try {
      const clock = instantClock();
      const assigned = await registerWithDps(
        { globalEndpoint: dps.url + '/', idScope: '0ne00ABC', registrationId: 'reg 1', credentials: { type: 'sas', key }, payload: { a: 1 } },
        { timeoutMs: 5000, retries: 0, clock, tls: { ca: tls.caPem } },
      );
      expect(assigned).toEqual({ assignedHub: HUB, deviceId: 'dev-1', payload: undefined });
      const [register, ...polls] = dps.requests;
      expect(register.method).toBe('PUT');
      expect(register.path).toBe('/0ne00ABC/registrations/reg%201/register');
      expect(register.query.get('api-version')).toBe('2019-03-31');
      expect(register.body).toEqual({ registrationId: 'reg 1', payload: { a: 1 } });
      expect(register.headers.authorization).toMatch(/&skn=registration$/);
      expect(polls.map((p) => `${p.method} ${p.path}`)).toEqual(Array(3).fill('GET /0ne00ABC/registrations/reg%201/operations/op-reg%201-1'));
      expect(clock.slept).toEqual([5000, 5000, 5000]);
    } finally {
      await dps.close();
    }
  });

  it('a status poll that fails on the network is retried cloud_retries times, as every other request', async () => {
    const key = Buffer.from('individual-key-0123456789');
    const dps = await startFakeDps({ tls, idScope: 's', keys: { r: key }, assignedHub: HUB, pollsBeforeAssigned: 1, hangPolls: [1] });
    try {
      const clock = instantClock();
      const assigned = await registerWithDps(
        { globalEndpoint: dps.url, idScope: 's', registrationId: 'r', credentials: { type: 'sas', key } },
        { timeoutMs: 1000, retries: 1, clock, tls: { ca: tls.caPem } },
      );
      expect(assigned).toEqual({ assignedHub: HUB, deviceId: 'r', payload: undefined });
      expect(dps.requests.map((r) => r.method)).toEqual(['PUT', 'GET', 'GET']);
      // poll interval, then the retry delay after the unanswered poll
      expect(clock.slept).toEqual([5000, 3000]);
    } finally {
      await dps.close();
    }
  });

  it('a registration that takes longer than a SAS token lives signs each poll afresh', async () => {
    const key = Buffer.from('individual-key-0123456789');
    const clock = instantClock();
    const dps = await startFakeDps({ tls, idScope: 's', keys: { r: key }, assignedHub: HUB, pollsBeforeAssigned: 12, now: clock.now });
    try {
      const assigned = await registerWithDps({ globalEndpoint: dps.url, idScope: 's', registrationId: 'r', credentials: { type: 'sas', key } }, { timeoutMs: 5000, retries: 0, clock, tls: { ca: tls.caPem } });
      expect(assigned.deviceId).toBe('r');
      expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(65_000);
    } finally {
      await dps.close();
    }
  });

  it('provisions from a group enrollment key, caches the assignment, and notices a device change', async () => {
    const group = Buffer.from('group-enrollment-key').toString('base64');
    const deviceKey = Buffer.from(deriveGroupDeviceKey(group, 'r2'), 'base64');
    const dps = await startFakeDps({ tls, idScope: 's1', keys: { r2: deviceKey }, assignedHub: HUB });
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'prov-'));
    try {
      const clock = instantClock();
      const deps = {
        store: IdentityStore.under(home),
        keys: KeyStore.under(home),
        logger: memoryLogger(),
        register: (reg: Parameters<typeof registerWithDps>[0]) =>
          registerWithDps(reg, { timeoutMs: 5000, retries: 0, clock, tls: { ca: tls.caPem } }),
      };
      const plan = await planProvisioning({
        provisioning: { source: 'dps', global_endpoint: dps.url, id_scope: 's1', attestation: { method: 'symmetric_key', registration_id: 'r2', symmetric_key: { value: group }, group_key: true } },
      });
      const first = await provision(plan, deps);
      expect(first.device).toMatchObject({ hubHostname: HUB, deviceId: 'r2' });
      expect(first.replaced).toBeUndefined();
      expect(await deps.keys.read('device-id')).toEqual(deviceKey);

      // A restart reuses the cached assignment; a forced one registers again.
      await provision(plan, deps);
      expect(dps.registrations).toEqual(['r2']);
      await provision(plan, deps, { forceDps: true });
      expect(dps.registrations).toEqual(['r2', 'r2']);

      const manual = await planProvisioning({
        provisioning: manualProvisioning(`HostName=other.net;DeviceId=d9;SharedAccessKey=${DEVICE_KEY.toString('base64')}`),
      });
      const changed = await provision(manual, deps);
      expect(changed.replaced).toMatchObject({ hubHostname: HUB, deviceId: 'r2' });
    } finally {
      await dps.close();
      await fs.rm(home, { recursive: true, force: true });
    }
  });

  it('registers with an X.509 certificate and reports failures and time-outs clearly', async () => {
    const dps = await startFakeDps({ tls, idScope: 's', assignedHub: HUB, pollsBeforeAssigned: 1000 });
    try {
      const id = tls.client('x-reg');
      const clock = instantClock();
      const reg = { globalEndpoint: dps.url, idScope: 's', registrationId: 'x-reg', credentials: { type: 'x509' as const, certPem: id.certPem, keyPem: id.keyPem, certFile: '', keyFile: '' } };
      const err = await registerWithDps(reg, { timeoutMs: 5000, retries: 0, clock, tls: { ca: tls.caPem }, provisioningTimeoutMs: 20_000 }).catch((e) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      expect(err.message).toMatch(/did not assign registration x-reg in time/);
      expect(dps.requests[0].clientCn).toBe('x-reg');
    } finally {
      await dps.close();
    }
    const failing = await startFakeDps({ tls, idScope: 's', keys: { r: DEVICE_KEY }, assignedHub: HUB, fail: 'Enrollment disabled' });
    try {
      const err = await registerWithDps(
        { globalEndpoint: failing.url, idScope: 's', registrationId: 'r', credentials: { type: 'sas', key: DEVICE_KEY } },
        { timeoutMs: 5000, retries: 0, clock: instantClock(), tls: { ca: tls.caPem } },
      ).catch((e) => e);
      expect(err.message).toBe('DPS registration failed: Enrollment disabled');
      expect(err.exitCode).toBe(153);
    } finally {
      await failing.close();
    }
  });
});
