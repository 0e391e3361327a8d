import { FakeClock, flushMicrotasks } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { memoryHealth } from '../../../src/supervisor/health';
import { runIotedgedService } from '../../../src/supervisor/iotedged-service';
import { fakeProcs, fakeSpawner } from '../../helpers/fake-processes';

function setup() {
  const clock = new FakeClock();
  const spawner = fakeSpawner();
  const health = memoryHealth();
  const ctl = new AbortController();
  const state = { engine: false, edged: true };
  const procs = fakeProcs();
  const done = runIotedgedService({
    spawner,
    clock,
    logger: memoryLogger(),
    signal: ctl.signal,
    health,
    command: 'node',
    args: ['edged', '--config', 'c', '--home', 'h'],
    engineProbe: async () => state.engine,
    edgedProbe: async () => state.edged,
    procs,
  });
  return { clock, spawner, health, ctl, state, done, procs };
}

describe('the iotedged service', () => {
  it('waits for the engine, saying so, then starts edged and reports okay once it answers', async () => {
    const t = setup();
    await t.clock.advance(3000);
    expect(t.spawner.children).toHaveLength(0);
    expect(t.health.reports).toEqual([{ status: 'waiting', message: 'waiting for the Docker engine (dockerd service)', code: 'engine-wait' }]);
    t.state.engine = true;
    await t.clock.advance(1000);
    expect(t.spawner.children.map((c) => c.req.args)).toEqual([['edged', '--config', 'c', '--home', 'h']]);
    await t.clock.advance(500);
    expect(t.health.reports.slice(-2)).toEqual([{ status: 'waiting', message: 'edged is starting', code: 'edged-starting' }, { status: 'okay' }]);
    t.ctl.abort();
    await t.done;
  });

  it('stops on exit code 153 with the reason in the health, without restarting', async () => {
    const t = setup();
    await flushMicrotasks(); // the engine probe failed and the service sleeps
    t.state.engine = true;
    await t.clock.advance(1000);
    t.spawner.children[0].exit(153);
    await expect(t.done).resolves.toMatchObject({ kind: 'fatal' });
    expect(t.health.reports.pop()).toEqual({ status: 'error', message: 'invalid configuration: fix it with snap set', code: 'config-error' });
    await t.clock.advance(120_000);
    expect(t.spawner.children).toHaveLength(1);
  });

  async function running() {
    const t = setup();
    await flushMicrotasks();
    t.state.engine = true;
    await t.clock.advance(1000);
    await t.clock.advance(500); // ready
    expect(t.spawner.children).toHaveLength(1);
    return t;
  }

  it('does not blame edged for a frozen engine: edged silent while the engine is silent is not restarted', async () => {
    const t = await running();
    t.state.engine = false;
    t.state.edged = false;
    await t.clock.advance(60_000);
    expect(t.spawner.children).toHaveLength(1);
    expect(t.spawner.children[0].signals).toEqual([]);
    t.ctl.abort();
    await t.done;
  });

  it('replaces a stopped (SIGSTOP) edged at the next probe, and one silent for 2 probes', async () => {
    const t = await running();
    t.procs.procs[t.spawner.children[0].pid] = { args: ['node', 'edged'], state: 'T' };
    await t.clock.advance(2000);
    expect(t.spawner.children[0].signals).toEqual(['SIGTERM', 'SIGCONT']);
    expect(t.health.reports).toContainEqual({ status: 'error', message: 'edged is stopped (SIGSTOP); restarted', code: 'edged-hang' });
    await t.clock.advance(1000);
    expect(t.spawner.children).toHaveLength(2);
    await t.clock.advance(500); // the new one is ready
    t.state.edged = false;
    await t.clock.advance(2000);
    expect(t.spawner.children[1].signals).toEqual([]);
    await t.clock.advance(2000);
    expect(t.spawner.children[1].signals).toEqual(['SIGTERM', 'SIGCONT']);
    t.ctl.abort();
    await t.done;
  });
});
