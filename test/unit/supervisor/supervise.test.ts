import { FakeClock, flushMicrotasks } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Backoff } from '../../../src/supervisor/backoff';
import { type SuperviseOptions, supervise } from '../../../src/supervisor/supervise';
import { fakeSpawner } from '../../helpers/fake-processes';

function setup(overrides: Partial<SuperviseOptions> = {}) {
  const clock = new FakeClock();
  const spawner = fakeSpawner();
  const ctl = new AbortController();
  const state = { answering: true };
  const events: string[] = [];
  const opts: SuperviseOptions = {
    name: 'edged',
    spawner,
    clock,
    logger: memoryLogger(),
    signal: ctl.signal,
    request: async () => ({ command: 'edged', args: [] }),
    probe: async () => state.answering,
    startupProbeMs: 500,
    probeIntervalMs: 5000,
    readyDeadlineMs: 30_000,
    unhealthyAfter: 3,
    stopGraceMs: 10_000,
    backoff: new Backoff({ initialMs: 1000, maxMs: 8000, factor: 2, resetAfterMs: 60_000 }),
    events: {
      starting: () => events.push('starting'),
      ready: () => events.push('ready'),
      hang: (r) => events.push(`hang: ${r}`),
      exited: (e, d) => events.push(`exited ${e.code ?? e.signal} restart ${d}`),
      fatal: (r) => events.push(`fatal: ${r}`),
    },
    ...overrides,
  };
  const done = supervise(opts);
  return { clock, spawner, ctl, state, events, done };
}

describe('supervise', () => {
  it('starts, becomes ready, and stops the child cleanly on abort', async () => {
    const t = setup();
    await flushMicrotasks();
    expect(t.spawner.children).toHaveLength(1);
    await t.clock.advance(500);
    expect(t.events).toEqual(['starting', 'ready']);
    t.ctl.abort();
    await expect(t.done).resolves.toEqual({ kind: 'stopped' });
    expect(t.spawner.children[0].signals).toEqual(['SIGTERM']);
  });

  it('restarts a child that dies, with growing then bounded backoff', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) {
      await flushMicrotasks();
      t.spawner.children[i].exit(1);
      await flushMicrotasks();
      await t.clock.advance(8000);
    }
    const delays = t.events.filter((e) => e.startsWith('exited')).map((e) => Number(e.split(' ').pop()));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(t.spawner.children).toHaveLength(6);
    t.ctl.abort();
    await t.done;
  });

  it('resets the backoff after a long healthy run', async () => {
    const t = setup();
    await flushMicrotasks();
    t.spawner.children[0].exit(1);
    await flushMicrotasks();
    await t.clock.advance(1000);
    t.spawner.children[1].exit(1);
    await flushMicrotasks();
    await t.clock.advance(2000);
    await t.clock.advance(120_000);
    t.spawner.children[2].exit(1);
    await flushMicrotasks();
    expect(t.events.filter((e) => e.startsWith('exited')).pop()).toBe('exited 1 restart 1000');
    t.ctl.abort();
    await t.done;
  });

  it('restarts a child that never becomes ready (the "Initializing modules" hang)', async () => {
    const t = setup();
    t.state.answering = false;
    await flushMicrotasks();
    t.spawner.children[0].obeysTerm = false;
    await t.clock.advance(30_000);
    expect(t.events).toContain('hang: not ready 30s after start');
    await t.clock.advance(5000); // the hang grace: SIGTERM (and SIGCONT) ignored, then SIGKILL
    expect(t.spawner.children[0].signals).toEqual(['SIGTERM', 'SIGCONT', 'SIGKILL']);
    t.state.answering = true;
    await t.clock.advance(1000);
    expect(t.spawner.children).toHaveLength(2);
    await t.clock.advance(500);
    expect(t.events.filter((e) => e === 'ready')).toHaveLength(1);
    t.ctl.abort();
    await t.done;
  });

  it('waits past the ready deadline for a child that keeps working (a slow machine), and says so', async () => {
    const logger = memoryLogger();
    const t = setup({ logger, cpuMs: async () => t.clock.now() / 2 }); // half a CPU, all along
    t.state.answering = false;
    await flushMicrotasks();
    await t.clock.advance(100_000);
    expect(t.events.some((e) => e.startsWith('hang'))).toBe(false);
    expect(logger.lines.join('\n')).toMatch(/edged is not ready 30s after start but still working: waiting for it/);
    t.state.answering = true;
    await t.clock.advance(500);
    expect(t.events).toEqual(['starting', 'ready']);
    expect(t.spawner.children).toHaveLength(1);
    t.ctl.abort();
    await t.done;
  });

  it('restarts a ready child that stops answering after N failed probes, not before', async () => {
    const t = setup();
    await flushMicrotasks();
    await t.clock.advance(500);
    t.state.answering = false;
    await t.clock.advance(10_000);
    expect(t.events.some((e) => e.startsWith('hang'))).toBe(false);
    await t.clock.advance(5000);
    expect(t.events).toContain('hang: stopped answering (3 probes failed in a row)');
    t.ctl.abort();
    await t.done;
  });

  it('does not restart on a fatal exit (153) and reports why', async () => {
    const t = setup({ fatalReason: (e) => (e.code === 153 ? 'bad settings' : undefined) });
    await flushMicrotasks();
    t.spawner.children[0].exit(153);
    const outcome = await t.done;
    expect(outcome).toEqual({ kind: 'fatal', reason: 'bad settings', exit: { code: 153, signal: null } });
    expect(t.events).toEqual(['starting', 'fatal: bad settings']);
    expect(t.spawner.children).toHaveLength(1);
  });

  it('waits in prepare (e.g. for the engine) and never starts when aborted meanwhile', async () => {
    const clock = new FakeClock();
    const t = setup({
      clock,
      prepare: (signal) => clock.sleep(60_000, signal),
    });
    await t.clock.advance(1000);
    expect(t.spawner.children).toHaveLength(0);
    t.ctl.abort();
    await expect(t.done).resolves.toEqual({ kind: 'stopped' });
    expect(t.spawner.children).toHaveLength(0);
  });

  it('kills a child that ignores SIGTERM after the grace period when stopping', async () => {
    const t = setup();
    await flushMicrotasks();
    t.spawner.children[0].obeysTerm = false;
    t.ctl.abort();
    await flushMicrotasks();
    await t.clock.advance(10_000);
    await t.done;
    expect(t.spawner.children[0].signals).toEqual(['SIGTERM', 'SIGKILL']);
  });

  it('runs beforeStop (stop the containers) before SIGTERM on a requested stop, not on a crash', async () => {
    const order: string[] = [];
    const t = setup({ beforeStop: async () => void order.push('beforeStop') });
    await flushMicrotasks();
    t.spawner.children[0].exit(1);
    await flushMicrotasks();
    expect(order).toEqual([]);
    await t.clock.advance(1000);
    const child = t.spawner.children[1];
    const kill = child.kill.bind(child);
    child.kill = (sig) => {
      order.push(sig);
      kill(sig);
    };
    t.ctl.abort();
    await t.done;
    expect(order).toEqual(['beforeStop', 'SIGTERM']);
  });
});
