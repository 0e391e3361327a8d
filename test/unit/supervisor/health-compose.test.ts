import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ENGINE_OUTAGE_FILE, REPORTED_STATE_FILE } from '../../../src/edged/local-deployment-component';
import { snapPaths } from '../../../src/snap/paths';
import { composeHealth, modulesHealth } from '../../../src/supervisor/health-compose';
import { healthBoard, memoryHealth } from '../../../src/supervisor/health';

const okay = { status: 'okay' as const };
const reported = (modules: Record<string, { status: string; runtimeStatus: string }>, lastDesiredStatus = { code: 200, description: '' }) => ({
  lastDesiredStatus,
  modules,
});

describe('composeHealth: one health from both services and the modules', () => {
  it('a refused provisioning file is the health while it is there, whatever the services say', () => {
    const refused = { status: 'error', message: 'provisioning file /var/snap/x/common/provisioning.json refused: not JSON', code: 'provisioning-file' };
    expect(composeHealth({ dockerd: okay, iotedged: okay, provisioning: refused })).toEqual(refused);
    expect(composeHealth({ dockerd: okay, iotedged: okay, provisioning: { junk: 1 } })).toEqual(okay);
  });

  it("the engine's problem wins over edged's okay (edged answers while the engine is down)", () => {
    const engine = { status: 'error' as const, message: 'Docker engine is stopped (SIGSTOP); restarting it', code: 'engine-hang' };
    expect(composeHealth({ dockerd: engine, iotedged: okay })).toEqual(engine);
    const disk = { status: 'error' as const, message: 'disk-full: 3 MiB free', code: 'disk-full' };
    expect(composeHealth({ dockerd: disk, iotedged: okay, reported: reported({}) })).toEqual(disk);
  });

  it('a full disk keeps its code and names what it broke: the module that could not be created', () => {
    const disk = { status: 'error' as const, message: 'disk-full: 0 MiB free for the engine\'s data; free space', code: 'disk-full' };
    const failed = reported({}, { code: 500, description: 'module extra: create failed: Could not create module extra: no space left on device' });
    expect(composeHealth({ dockerd: disk, iotedged: okay, reported: failed })).toEqual({
      ...disk,
      message: "disk-full: 0 MiB free for the engine's data; free space; module-create-failed: extra: Could not create module extra: no space left on device",
    });
    // edged down: its (stale) reported state is not the consequence to name.
    expect(composeHealth({ dockerd: disk, iotedged: { status: 'error', code: 'edged-hang' }, reported: failed })).toEqual(disk);
  });

  it("edged's problem next; nothing to say while edged never ran and the engine is fine (the hooks' health stands)", () => {
    const hang = { status: 'error' as const, message: 'edged does not answer (1 probe in a row)', code: 'edged-hang' };
    expect(composeHealth({ dockerd: okay, iotedged: hang })).toEqual(hang);
    expect(composeHealth({ dockerd: okay })).toBeUndefined();
    expect(composeHealth({})).toBeUndefined();
  });

  it('okay only when the engine, edged and every module meant to run are fine', () => {
    expect(composeHealth({ dockerd: okay, iotedged: okay, reported: reported({ a: { status: 'running', runtimeStatus: 'running' } }) })).toEqual(okay);
    expect(composeHealth({ dockerd: okay, iotedged: okay })).toEqual(okay); // cloud mode: edgeAgent reports the modules
  });

  it('names the modules that are down or in backoff; a module meant to be stopped is fine stopped', () => {
    const r = reported({
      a: { status: 'running', runtimeStatus: 'failed' },
      b: { status: 'running', runtimeStatus: 'backoff' },
      c: { status: 'stopped', runtimeStatus: 'stopped' },
      d: { status: 'running', runtimeStatus: 'unknown' },
    });
    expect(modulesHealth(r)).toEqual({ status: 'error', message: 'modules-down: a, d', code: 'modules-down' });
    expect(modulesHealth(reported({ b: { status: 'running', runtimeStatus: 'backoff' } }))).toEqual({
      status: 'error',
      message: 'modules-backoff: b',
      code: 'modules-backoff',
    });
  });

  it('a rejected deployment and a module that could not be created, by name', () => {
    expect(modulesHealth(reported({}, { code: 400, description: 'modules.m1.settings.image is missing' }))).toEqual({
      status: 'error',
      message: 'deployment rejected: modules.m1.settings.image is missing',
      code: 'deployment-rejected',
    });
    const failed = reported({}, { code: 500, description: 'module m1: create failed: no such image: x:1' });
    expect(modulesHealth(failed)).toEqual({ status: 'error', message: 'module-create-failed: m1: no such image: x:1', code: 'module-create-failed' });
  });

  it('ignores a reported state that is not one (hand-edited, truncated)', () => {
    for (const junk of [null, 'x', 42, { modules: 'x' }, { lastDesiredStatus: null }]) expect(modulesHealth(junk)).toBeUndefined();
  });
});

describe('healthBoard: each service records its state, each report composes the health', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'health-board-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const stateFile = path.join(dir, 'reported-state.json');
  let boot = 'boot-1';
  const sink = memoryHealth();
  const board = (owner: 'dockerd' | 'iotedged') =>
    healthBoard({ owner, dir: path.join(dir, 'health'), sink, reportedStateFile: stateFile, bootId: async () => boot });

  it("edged's okay no longer hides the engine's hang; the health follows the modules; a stale boot's state is not believed", async () => {
    const dockerd = board('dockerd');
    const iotedged = board('iotedged');
    await dockerd.report(okay);
    expect(sink.reports).toEqual([]); // edged never ran: nothing to say
    await iotedged.report(okay);
    expect(sink.reports.at(-1)).toEqual(okay);
    await dockerd.report({ status: 'error', message: 'Docker engine does not answer (1 ping in a row)', code: 'engine-hang' });
    await iotedged.report(okay);
    expect(sink.reports.at(-1)).toMatchObject({ code: 'engine-hang' });
    await dockerd.report(okay);
    writeFileSync(stateFile, JSON.stringify(reported({ m1: { status: 'running', runtimeStatus: 'failed' } })));
    await iotedged.report(okay);
    expect(sink.reports.at(-1)).toMatchObject({ code: 'modules-down', message: 'modules-down: m1' });
    expect(JSON.parse(readFileSync(path.join(dir, 'health', 'iotedged.json'), 'utf8'))).toEqual({ status: 'okay', boot: 'boot-1' });
    boot = 'boot-2'; // after a power loss, before edged runs again
    const count = sink.reports.length;
    await board('dockerd').report(okay);
    expect(sink.reports.length).toBe(count);
  });

  it('a planned stop clears the service state', async () => {
    const iotedged = board('iotedged');
    await iotedged.report(okay);
    await iotedged.clear();
    expect(existsSync(path.join(dir, 'health', 'iotedged.json'))).toBe(false);
  });

  it("reads edged's reported state where the agent writes it", () => {
    const p = snapPaths('/snap/x', '/var/snap/x/common');
    expect(p.edgedReportedState).toBe(path.join(p.edgedHome, REPORTED_STATE_FILE));
  });

  it("marks a planned stop where edged's agent reads its outage record", () => {
    const p = snapPaths('/snap/x', '/var/snap/x/common');
    expect(p.edgedEngineOutage).toBe(path.join(p.edgedHome, ENGINE_OUTAGE_FILE));
  });
});
