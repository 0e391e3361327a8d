import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EdgeCa } from '../../../../src/certs/edge-ca';
import { restartModulesAfterCaRenewal } from '../../../../src/edged/edge-agent/ca-renewal';
import type { Module } from '../../../../src/runtime/types';
import { FakeClock } from '../../../../src/util/clock';
import { memoryLogger } from '../../../../src/util/log';

const DAY = 86_400_000;

describe('Edge CA renewal', () => {
  it('tells when a quickstart CA was renewed, not when it was first made', async () => {
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'renew-'));
    const clock = new FakeClock();
    let renewed = 0;
    const ca = new EdgeCa({ home, deviceId: 'd', clock, logger: memoryLogger(), settings: { auto_generated_edge_ca_expiry_days: 10 }, onRenewed: () => renewed++ });
    await ca.ensure();
    expect(renewed).toBe(0);
    await clock.advance(8 * DAY);
    await ca.current();
    expect(renewed).toBe(1);
    await fs.rm(home, { recursive: true, force: true });
  });

  it('restarts every module, edgeAgent last, when edgeAgent runs', async () => {
    const calls: string[] = [];
    const mods = ['edgeAgent', 'edgeHub', 'sensor'].map((name) => ({ name, state: { status: 'running' } }) as Module);
    const runtime = {
      get: async (name: string) => mods.find((m) => m.name === name)!,
      list: async () => mods,
      stop: async (name: string) => void calls.push(`stop ${name}`),
      start: async (name: string) => void calls.push(`start ${name}`),
    };
    await restartModulesAfterCaRenewal(runtime, 'edgeAgent', memoryLogger());
    expect(calls).toEqual(['stop edgeAgent', 'stop edgeHub', 'stop sensor', 'start edgeHub', 'start sensor', 'start edgeAgent']);

    calls.length = 0;
    mods[0].state.status = 'stopped';
    await restartModulesAfterCaRenewal(runtime, 'edgeAgent', memoryLogger());
    expect(calls).toEqual([]);
  });
});

describe('[edge_ca.auto_renew] for the quickstart Edge CA', () => {
  let home: string;
  beforeEach(async () => (home = await fs.mkdtemp(path.join(os.tmpdir(), 'renew-'))));
  afterEach(() => fs.rm(home, { recursive: true, force: true }));
  const publicKeyOf = (ca: EdgeCa) => ca.current().then((l) => l.cert.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'));

  it('renews at the threshold, not at 80%, with a new key by default', async () => {
    const clock = new FakeClock();
    const ca = new EdgeCa({ home, deviceId: 'd', clock, logger: memoryLogger(), settings: { auto_generated_edge_ca_expiry_days: 10, auto_renew: { threshold: '50%' } } });
    const first = await publicKeyOf(ca);
    await clock.advance(4 * DAY);
    expect(await ca.ensure()).toBe(false);
    await clock.advance(1 * DAY);
    expect(await ca.ensure()).toBe(true);
    expect(await publicKeyOf(ca)).not.toBe(first);
  });

  it('rotate_key = false keeps the key across a renewal', async () => {
    const clock = new FakeClock();
    const log = memoryLogger();
    const ca = new EdgeCa({ home, deviceId: 'd', clock, logger: log, settings: { auto_generated_edge_ca_expiry_days: 10, auto_renew: { rotate_key: false } } });
    const first = await publicKeyOf(ca);
    await clock.advance(8 * DAY);
    expect(await ca.ensure()).toBe(true);
    expect(await publicKeyOf(ca)).toBe(first);
    expect(log.lines.join('\n')).toMatch(/renewing the Edge CA at 80% of its life, keeping its key/);
  });

  it('a bad threshold, or auto_renew with a preloaded CA, is a configuration error', () => {
    expect(() => new EdgeCa({ home, deviceId: 'd', logger: memoryLogger(), settings: { auto_renew: { threshold: '0%' } } })).toThrow(/^edge_ca.auto_renew.threshold must be a percentage from 1% to 100%, not "0%"$/);
    expect(() => new EdgeCa({ home, deviceId: 'd', logger: memoryLogger(), settings: { cert: 'file:///c.pem', pk: 'file:///k.pem', auto_renew: {} } })).toThrow(/applies to the quickstart Edge CA only/);
  });
});

describe('[edge_ca.subject] for the quickstart Edge CA', () => {
  let home: string;
  beforeEach(async () => (home = await fs.mkdtemp(path.join(os.tmpdir(), 'subject-'))));
  afterEach(() => fs.rm(home, { recursive: true, force: true }));

  it('is the CA certificate\'s subject (and issuer: it is self-signed)', async () => {
    const ca = new EdgeCa({ home, deviceId: 'd', logger: memoryLogger(), settings: { subject: { CN: 'test CA', O: 'Contoso', L: 'Redmond' } } });
    const { cert } = await ca.current();
    expect(cert.subject.split('\n').sort()).toEqual(['CN=test CA', 'L=Redmond', 'O=Contoso']);
    expect(cert.issuer).toBe(cert.subject);
  });

  it('without CN keeps the default common name; an unknown field is refused', async () => {
    const ca = new EdgeCa({ home, deviceId: 'd', logger: memoryLogger(), settings: { subject: { O: 'Contoso' } } });
    expect((await ca.current()).cert.subject.split('\n').sort()).toEqual(['CN=aziot-edge CA d', 'O=Contoso']);
    expect(() => new EdgeCa({ home, deviceId: 'd', logger: memoryLogger(), settings: { subject: { DC: 'x' } } })).toThrow(/^edge_ca.subject.DC is not a subject field this appliance writes$/);
  });
});
