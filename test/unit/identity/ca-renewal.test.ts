import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EdgeCa } from '../../../src/certs/edge-ca';
import { restartModulesAfterCaRenewal } from '../../../src/edged/edge-agent-ca-renewal';
import type { Module } from '../../../src/runtime/types';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';

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
