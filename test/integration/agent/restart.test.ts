/**
 * Restart policies on a real dockerd, with the backoff timing driven by a FakeClock: exits come
 * from Docker's event stream, restarts happen exactly when the injected clock says so.
 */
import { startTestEngine, TestEngine } from '../../helpers/engine';
import { FakeClock } from '../../../src/util/clock';
import { deployment, Harness, removeAll, startAgent, until } from './harness';

let engine: TestEngine;
let h: Harness | undefined;
let clock: FakeClock;

beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await h?.agent.stop();
  await removeAll(engine);
  await engine.stop();
});
beforeEach(() => {
  // The agent's clock starts at real time: Docker's own timestamps stay comparable.
  clock = new FakeClock(Date.now());
});
afterEach(async () => {
  await h?.agent.stop();
  h = undefined;
  await removeAll(engine);
});

const crash = (code: number) => ['sh', '-c', `sleep 0.2; exit ${code}`];
const running = async (name: string) => (await engine.docker.getContainer(name).inspect()).State.Running;
const reported = async (name: string) => (await h!.agent.reportedState()).modules[name];
const restarts = async (name: string) => (await reported(name)).restartCount;

it('restarts a crashed module after 10 s, then 20 s: backoff meanwhile', async () => {
  h = await startAgent(engine, clock);
  await h.agent.applyText(deployment({ crasher: { cmd: crash(1), restartPolicy: 'on-failure' } }));
  await until(() => h!.agent.moduleStatus('crasher')?.status === 'backoff', 'backoff');
  expect(h.agent.moduleStatus('crasher')?.description).toMatch(/in 10 s \(restart 1 of 20\)/);
  expect(await reported('crasher')).toMatchObject({ runtimeStatus: 'backoff', exitCode: 1, restartCount: 0 });

  await clock.advance(9_999);
  await h.agent.kick(['crasher']);
  expect(await running('crasher')).toBe(false);
  expect(await restarts('crasher')).toBe(0);

  await clock.advance(1);
  await until(async () => (await restarts('crasher')) === 1, 'first restart');
  expect((await reported('crasher')).lastRestartTimeUtc).toBe(new Date(clock.now()).toISOString());

  // It crashes again: the cool-off doubles.
  await until(() => h!.agent.moduleStatus('crasher')?.description?.includes('in 20 s (restart 2 of 20)'), 'second backoff');
  await clock.advance(19_999);
  await h.agent.kick(['crasher']);
  expect(await restarts('crasher')).toBe(1);
  await clock.advance(1);
  await until(async () => (await restarts('crasher')) === 2, 'second restart');
});

it('each policy: never, on-failure, on-unhealthy and always, for clean and failed exits', async () => {
  h = await startAgent(engine, clock);
  await h.agent.applyText(
    deployment({
      'never-fails': { cmd: crash(1), restartPolicy: 'never' },
      'onfailure-clean': { cmd: crash(0), restartPolicy: 'on-failure' },
      'onfailure-fails': { cmd: crash(3), restartPolicy: 'on-failure' },
      'onunhealthy-fails': { cmd: crash(1) },
      'always-clean': { cmd: crash(0), restartPolicy: 'always' },
    }),
  );
  await until(async () => {
    const s = await h!.agent.reportedState();
    return Object.values(s.modules).every((m) => m.runtimeStatus !== 'running' && m.runtimeStatus !== 'unknown') && s;
  }, 'every module exited');
  const s = await h.agent.reportedState();
  const status = (n: string) => s.modules[n].runtimeStatus;
  expect(status('never-fails')).toBe('failed');
  expect(status('onfailure-clean')).toBe('stopped');
  expect(status('onfailure-fails')).toBe('backoff');
  expect(status('onunhealthy-fails')).toBe('backoff');
  expect(status('always-clean')).toBe('backoff');
  expect(s.modules['onfailure-fails'].exitCode).toBe(3);

  await clock.advance(10_000);
  await until(async () => {
    const r = (await h!.agent.reportedState()).modules;
    return ['onfailure-fails', 'onunhealthy-fails', 'always-clean'].every((n) => r[n].restartCount === 1);
  }, 'the three restarts');
  const after = (await h.agent.reportedState()).modules;
  expect(after['never-fails'].restartCount).toBe(0);
  expect(after['onfailure-clean'].restartCount).toBe(0);
});

it('gives up after the maximum restart count and reports failed', async () => {
  h = await startAgent(engine, clock, { settings: { maxRestartCount: 2 } });
  await h.agent.applyText(deployment({ crasher: { cmd: crash(1), restartPolicy: 'always' } }));
  for (const [wait, count] of [
    [10_000, 1],
    [20_000, 2],
  ]) {
    await until(() => h!.agent.moduleStatus('crasher')?.description?.includes(`(restart ${count} of 2)`), `backoff before restart ${count}`);
    await clock.advance(wait);
    await until(async () => (await restarts('crasher')) === count, `restart ${count}`);
  }
  await until(() => h!.log.lines.some((l) => /crasher failed after 2 restarts; not restarting it again/.test(l)), 'given up');
  expect((await reported('crasher')).runtimeStatus).toBe('failed');
  expect(h.agent.moduleStatus('crasher')).toBeUndefined();
  await clock.advance(600_000);
  await h.agent.kick(['crasher']);
  expect(await restarts('crasher')).toBe(2);
  expect(await running('crasher')).toBe(false);
});

it('resets the restart count once a module has run for the intensive-care time', async () => {
  h = await startAgent(engine, clock, { settings: { intensiveCareMs: 60_000 } });
  // Fails on its first run only (the container's filesystem survives a restart).
  const once = ['sh', '-c', 'if [ -f /tmp/ran ]; then exec sleep 3600; fi; touch /tmp/ran; sleep 0.2; exit 1'];
  await h.agent.applyText(deployment({ flaky: { cmd: once, restartPolicy: 'on-failure' } }));
  await until(() => h!.agent.moduleStatus('flaky')?.status === 'backoff', 'backoff');
  await clock.advance(10_000);
  await until(async () => (await restarts('flaky')) === 1 && (await running('flaky')), 'restarted and running');
  await clock.advance(59_000);
  await h.agent.kick(['flaky']);
  expect(await restarts('flaky')).toBe(1);
  await clock.advance(1_000);
  await until(async () => (await restarts('flaky')) === 0, 'count reset');
});

it('on-unhealthy: a module whose health check fails is restarted after the cool-off', async () => {
  h = await startAgent(engine, clock);
  const Healthcheck = { Test: ['CMD', 'false'], Interval: 100_000_000, Timeout: 1_000_000_000, Retries: 1 };
  // Exits on SIGTERM, so Docker's restart does not wait out its 10 s stop timeout.
  const cmd = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];
  await h.agent.applyText(deployment({ sick: { cmd, restartPolicy: 'on-unhealthy', createOptions: { Healthcheck } } }));
  await until(() => h!.agent.moduleStatus('sick')?.status === 'backoff', 'unhealthy, then backoff', 30_000);
  expect(await running('sick')).toBe(true);
  await clock.advance(10_000);
  await until(async () => (await restarts('sick')) === 1, 'restart of the unhealthy module');
});
