import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { snapPaths } from '../../../src/snap/paths';
import { runDockerdService } from '../../../src/supervisor/dockerd-service';
import { memoryHealth } from '../../../src/supervisor/health';
import { FakeClock, flushMicrotasks } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { fakeProcs, fakeSpawner } from '../../helpers/fake-processes';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dockerd-service-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** prepare() does real file I/O (mkdir, config files): wait for a condition, bounded. */
async function until(what: string, fn: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !fn(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!fn()) throw new Error(`timed out waiting for ${what}`);
}

function setup(daemonJson?: string, left: { dockerd?: number; containerd?: number } = {}, edgedRan = false) {
  const paths = snapPaths(path.join(dir, 'snap'), path.join(dir, `common-${Math.random().toString(36).slice(2)}`));
  if (daemonJson !== undefined) {
    mkdirSync(path.dirname(paths.daemonJson), { recursive: true });
    writeFileSync(paths.daemonJson, daemonJson);
  }
  // Processes a crashed supervisor left running, named by their pidfiles.
  const procs = fakeProcs();
  if (edgedRan) mkdirSync(paths.edgedHome, { recursive: true });
  if (left.containerd) {
    mkdirSync(path.dirname(paths.containerdPidfile), { recursive: true });
    writeFileSync(paths.containerdPidfile, `${left.containerd}\n`);
    procs.procs[left.containerd] = { args: ['containerd', `--config=${paths.containerdConfig}`] };
  }
  if (left.dockerd) {
    mkdirSync(path.dirname(paths.dockerPidfile), { recursive: true });
    writeFileSync(paths.dockerPidfile, `${left.dockerd}\n`);
    procs.procs[left.dockerd] = { args: ['dockerd', `--pidfile=${paths.dockerPidfile}`] };
  }
  const clock = new FakeClock();
  const spawner = fakeSpawner();
  const ctl = new AbortController();
  const order: string[] = [];
  const health = memoryHealth();
  const logger = memoryLogger();
  const done = runDockerdService({
    paths,
    spawner,
    clock,
    logger,
    signal: ctl.signal,
    health,
    ensureBridge: async () => undefined,
    probe: async () => true,
    stopContainers: async () => void order.push(`containers stopped${existsSync(paths.edgedEngineOutage) ? ' (edged told)' : ''}`),
    now: () => 1_700_000_000_000,
    // The socket "appears" once containerd has been started.
    socketExists: async () =>
      spawner.children.some((c) => c.req.command === 'containerd' && !c.done) || Object.values(procs.procs).some((p) => p.args[0] === 'containerd'),
    containerdBinary: 'containerd',
    dockerdBinary: 'dockerd',
    procs,
  });
  const named = (cmd: string) => spawner.children.filter((c) => c.req.command === cmd);
  return { paths, clock, spawner, ctl, order, health, done, named, procs, logger };
}

describe('the dockerd service with its own containerd', () => {
  it('starts containerd first, then dockerd pointed at its socket and namespaces', async () => {
    const t = setup();
    await until('dockerd started', () => t.named('dockerd').length === 1);
    expect(t.spawner.children.map((c) => c.req.command)).toEqual(['containerd', 'dockerd']);
    expect(t.named('containerd')[0].req.args).toEqual(
      expect.arrayContaining([`--address=${t.paths.containerdSock}`, `--root=${t.paths.containerdRoot}`, `--state=${t.paths.containerdState}`]),
    );
    expect(t.named('dockerd')[0].req.args).toEqual(
      expect.arrayContaining([
        `--containerd=${t.paths.containerdSock}`,
        '--containerd-namespace=azure-iot-edge',
        '--containerd-plugins-namespace=azure-iot-edge-plugins',
      ]),
    );
    t.ctl.abort();
    await t.done;
  });

  it('restarts only dockerd when dockerd dies; both when containerd dies', async () => {
    const t = setup();
    await until('dockerd started', () => t.named('dockerd').length === 1);
    t.named('dockerd')[0].exit(null, 'SIGKILL');
    await until('the restart delay', () => t.clock.pending > 0);
    await t.clock.advance(1000);
    await until('dockerd restarted', () => t.named('dockerd').length === 2);
    expect(t.named('containerd')).toHaveLength(1);

    t.named('containerd')[0].exit(null, 'SIGKILL');
    await flushMicrotasks();
    expect(t.named('dockerd')[1].signals).toContain('SIGTERM');
    expect(t.health.reports.at(-1)).toMatchObject({ status: 'error', code: 'engine-down' });
    await t.clock.advance(30_000);
    await until('both restarted', () => t.named('dockerd').length === 3);
    expect(t.named('containerd')).toHaveLength(2);
    expect(t.spawner.children.slice(-2).map((c) => c.req.command)).toEqual(['containerd', 'dockerd']);
    t.ctl.abort();
    await t.done;
  });

  it('stops the containers, then dockerd, then containerd', async () => {
    const t = setup();
    await until('dockerd started', () => t.named('dockerd').length === 1);
    const [containerd] = t.named('containerd');
    const [dockerd] = t.named('dockerd');
    void dockerd.exited.then(() => t.order.push(`dockerd stopped (containerd ${containerd.done ? 'gone' : 'running'})`));
    void containerd.exited.then(() => t.order.push('containerd stopped'));
    t.ctl.abort();
    await expect(t.done).resolves.toEqual({ kind: 'stopped' });
    await flushMicrotasks();
    expect(t.order).toEqual(['containers stopped', 'dockerd stopped (containerd running)', 'containerd stopped']);
  });

  it("tells edged before it stops the modules that they stop on purpose (edged's outage record, planned)", async () => {
    const t = setup(undefined, {}, true);
    await until('dockerd started', () => t.named('dockerd').length === 1);
    t.ctl.abort();
    await t.done;
    expect(t.order[0]).toBe('containers stopped (edged told)');
    expect(JSON.parse(readFileSync(t.paths.edgedEngineOutage, 'utf8'))).toEqual({ from: 1_700_000_000_000, planned: true });
  });

  it('writes no record where edged never ran (its home is edged to create)', async () => {
    const t = setup();
    await until('dockerd started', () => t.named('dockerd').length === 1);
    t.ctl.abort();
    await t.done;
    expect(t.order[0]).toBe('containers stopped');
    expect(existsSync(t.paths.edgedHome)).toBe(false);
  });

  it('says an unparsable daemon.json in the health, starts nothing, and starts once it is fixed', async () => {
    const t = setup('{"log-level": ');
    await until('the health error', () => t.health.reports.length > 0);
    expect(t.health.reports[0]).toMatchObject({ status: 'error', code: 'engine-config-error' });
    expect(t.health.reports[0].message).toMatch(/daemon\.json is not valid JSON/);
    expect(t.spawner.children).toEqual([]);
    await t.clock.advance(5000);
    await until('the next check', () => t.clock.pending > 0);
    expect(t.health.reports).toHaveLength(1);
    writeFileSync(t.paths.daemonJson, '{"log-level": "warn"}');
    await t.clock.advance(5000);
    await until('dockerd started', () => t.named('dockerd').length === 1);
    t.ctl.abort();
    await t.done;
  });

  it('adopts the dockerd and containerd a crashed supervisor left running, instead of starting a second engine', async () => {
    const t = setup(undefined, { dockerd: 4242, containerd: 4243 });
    await until('dockerd adopted', () => t.logger.lines.some((l) => /dockerd is still running .*adopted/.test(l)));
    expect(t.logger.lines.join('\n')).toMatch(/containerd is still running .*adopted/);
    expect(t.spawner.children).toEqual([]);
    // A planned stop still goes in order, by pid.
    t.ctl.abort();
    await t.clock.advance(500);
    await t.clock.advance(500);
    await expect(t.done).resolves.toEqual({ kind: 'stopped' });
    expect(t.order).toEqual(['containers stopped']);
    expect(t.procs.signals).toEqual(['4242 SIGTERM', '4243 SIGTERM']);
  });

  it('a stop right after a supervisor crash, before dockerd is adopted, still stops containers, dockerd, containerd in order', async () => {
    const t = setup('{"log-level": ', { dockerd: 4242, containerd: 4243 }); // waits in prepare (bad daemon.json)
    await until('waiting for daemon.json', () => t.health.reports.length > 0);
    t.ctl.abort();
    await expect(t.done).resolves.toEqual({ kind: 'stopped' });
    expect(t.order).toEqual(['containers stopped']);
    expect(t.procs.signals).toEqual(['4242 SIGTERM', '4243 SIGTERM']);
    expect(t.spawner.children).toEqual([]);
  });

  it('does not adopt a reused pid (a process that is not ours): starts its own engine', async () => {
    const t = setup(undefined, { dockerd: 4242, containerd: 4243 });
    t.procs.procs[4242].args = ['/usr/bin/sleep', '1000'];
    t.procs.procs[4243].state = 'Z';
    await until('dockerd started', () => t.named('dockerd').length === 1);
    expect(t.spawner.children.map((c) => c.req.command)).toEqual(['containerd', 'dockerd']);
    t.ctl.abort();
    await t.done;
  });

  it('restarts a stopped (SIGSTOP) dockerd at the next probe, saying engine-hang', async () => {
    const t = setup();
    await until('dockerd started', () => t.named('dockerd').length === 1);
    t.procs.procs[t.named('dockerd')[0].pid] = { args: ['dockerd'], state: 'T' };
    await t.clock.advance(250);
    await until('the hang seen', () => t.named('dockerd')[0].signals.includes('SIGTERM'));
    expect(t.named('dockerd')[0].signals).toEqual(['SIGTERM', 'SIGCONT']);
    expect(t.health.reports.at(-1)).toMatchObject({ status: 'error', code: 'engine-hang' });
    await until('the restart delay', () => t.clock.pending > 0);
    await t.clock.advance(500);
    await until('dockerd restarted', () => t.named('dockerd').length === 2);
    t.ctl.abort();
    await t.done;
  });

  it('restarts a stopped (SIGSTOP) containerd with dockerd: the engine answers pings but could start nothing', async () => {
    const t = setup();
    await until('dockerd started', () => t.named('dockerd').length === 1);
    const [containerd] = t.named('containerd');
    t.procs.procs[containerd.pid] = { args: ['containerd'], state: 'T' };
    await t.clock.advance(250);
    await until('containerd thawed', () => containerd.signals.includes('SIGCONT'));
    expect(containerd.signals).toEqual(['SIGTERM', 'SIGCONT']);
    await until('dockerd stopped with it', () => t.named('dockerd')[0].signals.includes('SIGTERM'));
    expect(t.health.reports).toContainEqual({ status: 'error', message: 'containerd died; restarting the engine', code: 'engine-down' });
    delete t.procs.procs[containerd.pid];
    await t.clock.advance(30_000);
    await until('both restarted', () => t.named('containerd').length === 2 && t.named('dockerd').length === 2);
    t.ctl.abort();
    await t.done;
  });
});
