import { plan } from '../../../src/agent/planner/plan';
import type { CurrentModule, ModuleHealth, PlanFacts } from '../../../src/agent/planner/current';
import { specHash, storedSpecOf, canonicalJson } from '../../../src/agent/spec';
import { DEFAULT_RESTART_SETTINGS, DesiredModule } from '../../../src/agent/types';

const NOW = Date.UTC(2026, 0, 1);
const mod = (name: string, over: Partial<DesiredModule> = {}): DesiredModule => ({
  name,
  system: false,
  version: '1.0',
  type: 'docker',
  status: 'running',
  restartPolicy: 'on-unhealthy',
  imagePullPolicy: 'never',
  startupOrder: 4294967295,
  image: 'edge-test/busybox:1',
  createOptions: {},
  env: {},
  ...over,
});
const running = (d: DesiredModule, over: Partial<CurrentModule> = {}): CurrentModule => ({
  name: d.name,
  status: 'running',
  dockerState: 'running',
  startedAt: NOW - 1000,
  specHash: specHash(storedSpecOf(d)),
  spec: JSON.parse(canonicalJson(storedSpecOf(d))),
  ...over,
});
const exited = (d: DesiredModule, exitCode: number, finishedAt = NOW - 500): CurrentModule =>
  running(d, { status: exitCode === 0 ? 'stopped' : 'failed', dockerState: 'exited', exitCode, finishedAt });
const facts = (health: Record<string, ModuleHealth> = {}, over: Partial<PlanFacts> = {}): PlanFacts => ({
  now: NOW,
  health,
  settings: DEFAULT_RESTART_SETTINGS,
  ...over,
});
const kinds = (steps: { kind: string; name: string }[]) => steps.map((s) => `${s.kind} ${s.name}`);

describe('plan', () => {
  it('creates and starts missing modules in startupOrder', () => {
    const desired = [mod('c'), mod('a', { startupOrder: 1 }), mod('b', { startupOrder: 0 })];
    const steps = plan([], desired, facts());
    expect(kinds(steps)).toEqual(['create b', 'start b', 'create a', 'start a', 'create c', 'start c']);
    expect(steps.map((s) => s.phase)).toEqual([0, 0, 1, 1, 4294967295, 4294967295]);
  });

  it('leaves unchanged running modules alone', () => {
    const a = mod('a');
    expect(plan([running(a)], [a], facts())).toEqual([]);
  });

  it('recreates a changed module and says which field changed', () => {
    const before = mod('a', { env: { X: '1' }, createOptions: { Cmd: ['x'] } });
    const after = mod('a', { env: { X: '2' }, image: 'other:2', createOptions: { Cmd: ['y'] } });
    const steps = plan([running(before)], [after], facts());
    expect(kinds(steps)).toEqual(['recreate a', 'start a']);
    const s = steps[0] as Extract<(typeof steps)[0], { kind: 'recreate' }>;
    expect(s.changed).toEqual(['settings.image (edge-test/busybox:1 -> other:2)', 'settings.createOptions.Cmd', 'env.X']);
  });

  it('recreates a container without our spec label', () => {
    const a = mod('a');
    expect(kinds(plan([running(a, { specHash: undefined, spec: undefined })], [a], facts()))).toEqual(['recreate a', 'start a']);
  });

  it('removes modules no longer desired first, but never edgeAgent', () => {
    const a = mod('a');
    const steps = plan([running(mod('old')), running(mod('edgeAgent')), running(a)], [a], facts());
    expect(kinds(steps)).toEqual(['remove old']);
    expect(steps[0].phase).toBe(-1);
  });

  it('desired stopped: stops a running module, creates without starting', () => {
    const a = mod('a', { status: 'stopped' });
    expect(kinds(plan([running(a)], [a], facts()))).toEqual(['stop a']);
    expect(kinds(plan([], [a], facts()))).toEqual(['create a']);
    expect(plan([exited(a, 1)], [a], facts())).toEqual([]);
  });

  it('a status change alone does not recreate', () => {
    const a = mod('a', { status: 'stopped', restartPolicy: 'always' });
    expect(kinds(plan([running(mod('a'))], [a], facts()))).toEqual(['stop a']);
  });

  it('starts a created, never started container without backoff', () => {
    const a = mod('a');
    expect(kinds(plan([running(a, { status: 'stopped', dockerState: 'created', startedAt: undefined })], [a], facts()))).toEqual(['start a']);
  });

  it('schedules a restart after the cool-off, then restarts when it is due', () => {
    const a = mod('a');
    const h = { a: { restartCount: 0, lastStartTime: NOW - 2000, lastExitTime: NOW - 500 } };
    expect(plan([exited(a, 1)], [a], facts(h))).toEqual([
      { kind: 'schedule-restart', name: 'a', phase: a.startupOrder, at: NOW - 500 + 10_000, restartCount: 0 },
    ]);
    expect(plan([exited(a, 1)], [a], facts(h, { now: NOW + 9_500 }))).toEqual([
      { kind: 'restart', name: 'a', phase: a.startupOrder, restartCount: 0, unhealthy: false },
    ]);
  });

  it('doubles the cool-off per restart, capped at 5 minutes', () => {
    const a = mod('a');
    const at = (restartCount: number) => {
      const h = { a: { restartCount, lastStartTime: NOW - 2000, lastExitTime: NOW } };
      return (plan([exited(a, 1)], [a], facts(h))[0] as { at: number }).at - NOW;
    };
    expect([0, 1, 2, 3, 4, 5, 19].map(at)).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
  });

  it('gives up after the maximum restart count, once', () => {
    const a = mod('a');
    const h = { a: { restartCount: 20, lastStartTime: NOW - 2000, lastExitTime: NOW } };
    expect(kinds(plan([exited(a, 1)], [a], facts(h)))).toEqual(['give-up a']);
    expect(plan([exited(a, 1)], [a], facts({ a: { ...h.a, gaveUp: true } }))).toEqual([]);
  });

  it('resets the count when the module ran for the intensive-care time before exiting', () => {
    const a = mod('a');
    const h = { a: { restartCount: 20, lastStartTime: NOW - 11 * 60_000, lastExitTime: NOW } };
    expect(plan([exited(a, 1)], [a], facts(h))[0]).toMatchObject({ kind: 'schedule-restart', restartCount: 0, at: NOW + 10_000 });
  });

  it('running with restarts behind it: check at the intensive-care time, then reset', () => {
    const a = mod('a');
    const h = { a: { restartCount: 3, lastStartTime: NOW - 1000 } };
    expect(plan([running(a)], [a], facts(h))).toEqual([{ kind: 'schedule-check', name: 'a', phase: a.startupOrder, at: NOW - 1000 + 600_000 }]);
    expect(kinds(plan([running(a)], [a], facts(h, { now: NOW + 600_000 })))).toEqual(['reset-restarts a']);
  });

  describe('restart policies (as upstream RestartPolicyManager)', () => {
    const cases: [string, 'stopped' | 'failed' | 'unhealthy', boolean][] = [
      ['never', 'failed', false],
      ['never', 'stopped', false],
      ['never', 'unhealthy', false],
      ['on-failure', 'failed', true],
      ['on-failure', 'stopped', false],
      ['on-failure', 'unhealthy', true],
      ['on-unhealthy', 'failed', true],
      ['on-unhealthy', 'stopped', false],
      ['on-unhealthy', 'unhealthy', true],
      ['always', 'failed', true],
      ['always', 'stopped', true],
      ['always', 'unhealthy', true],
    ];
    it.each(cases)('%s with a %s module: restart=%s', (policy, status, restart) => {
      const a = mod('a', { restartPolicy: policy as DesiredModule['restartPolicy'] });
      const current = status === 'unhealthy' ? running(a) : exited(a, status === 'failed' ? 1 : 0);
      const h = { a: { restartCount: 0, lastStartTime: NOW - 2000, lastExitTime: NOW - 500, unhealthy: status === 'unhealthy' } };
      const steps = plan([current], [a], facts(h, { now: NOW + 60_000 }));
      expect(kinds(steps)).toEqual(restart ? ['restart a'] : []);
      if (restart) expect(steps[0]).toMatchObject({ unhealthy: status === 'unhealthy' });
    });
  });

  it('a scoped plan touches only the named modules', () => {
    const a = mod('a');
    const b = mod('b');
    const steps = plan([exited(a, 1), running(mod('old'))], [a, b], facts({ a: { restartCount: 0, lastStartTime: NOW - 70_000, lastExitTime: NOW - 60_000 } }, { scope: new Set(['a']) }));
    expect(kinds(steps)).toEqual(['restart a']);
  });

  it('an exit not seen yet counts from now, not from an older exit', () => {
    const a = mod('a');
    // Last exit seen before the last start: this exit's event has not arrived yet.
    const h = { a: { restartCount: 1, lastStartTime: NOW - 1000, lastExitTime: NOW - 30_000 } };
    expect(plan([exited(a, 1, NOW + 5)], [a], facts(h))[0]).toMatchObject({ kind: 'schedule-restart', at: NOW + 20_000 });
  });

  describe('exits edged did not watch happen (a stop of the engine, a reboot, edged down): started at once', () => {
    const a = mod('a');
    const since = NOW - 60_000;
    const unwatched = (outages: { from: number; to: number }[] = []) => ({ unwatched: { watchedSince: since, outages } });

    it('an exit before edged began watching: plain start, no cool-off, restart count untouched', () => {
      const h = { a: { restartCount: 3, lastStartTime: NOW - 600_000, lastExitTime: NOW - 500_000 } };
      expect(plan([exited(a, 137, since - 1000)], [a], facts(h, unwatched()))).toEqual([{ kind: 'start', name: 'a', phase: a.startupOrder }]);
    });

    it('whatever the restart policy: the system stopped it, the module did not end', () => {
      const never = mod('a', { restartPolicy: 'never' });
      expect(kinds(plan([exited(never, 0, since - 1000)], [never], facts({}, unwatched())))).toEqual(['start a']);
    });

    it('an exit the run before already reported keeps its backoff (a crash loop across an edged restart)', () => {
      const h = { a: { restartCount: 2, lastStartTime: NOW - 5000, lastExitTime: NOW - 1000 } };
      const later = { unwatched: { watchedSince: NOW - 500, outages: [] } };
      expect(plan([exited(a, 1, NOW - 1000)], [a], facts(h, later))[0]).toMatchObject({ kind: 'schedule-restart', restartCount: 2 });
    });

    it('an exit during an engine outage: plain start; one after it: the restart policy', () => {
      const outage = [{ from: NOW - 40_000, to: NOW - 20_000 }];
      expect(kinds(plan([exited(a, 143, NOW - 30_000)], [a], facts({}, unwatched(outage))))).toEqual(['start a']);
      expect(kinds(plan([exited(a, 1, NOW - 5000)], [a], facts({}, unwatched(outage))))).toEqual(['schedule-restart a']);
    });

    it('a module that spent its restart budget stays given up; a stopped one stays stopped', () => {
      const h = { a: { restartCount: 20, gaveUp: true } };
      expect(plan([exited(a, 1, since - 1000)], [a], facts(h, unwatched()))).toEqual([]);
      const stopped = mod('a', { status: 'stopped' });
      expect(plan([exited(stopped, 137, since - 1000)], [stopped], facts({}, unwatched()))).toEqual([]);
    });
  });
});
