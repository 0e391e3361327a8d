/**
 * The local agent against a real dockerd: every manifest shape, startupOrder, updates (recreate
 * only what changed, remove what left, never touch foreign containers), a rejected update, and
 * adoption by a new agent after the old one vanished without cleanup (edged killed with -9).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { startTestEngine, TestEngine } from '../../helpers/engine';
import { systemClock } from '../../../src/util/clock';
import { deployment, Harness, removeAll, startAgent } from './harness';

let engine: TestEngine;
let h: Harness | undefined;

beforeAll(async () => {
  engine = await startTestEngine();
});
afterAll(async () => {
  await h?.agent.stop();
  await removeAll(engine);
  await engine.stop();
});
afterEach(async () => {
  await h?.agent.stop();
  h = undefined;
  await removeAll(engine);
});

const inspect = (name: string) => engine.docker.getContainer(name).inspect();
const ids = async () => Object.fromEntries((await h!.runtime.list()).map((m) => [m.name, m.id]));

describe.each(['local', 'hub', 'cli'] as const)('the %s manifest shape', (shape) => {
  it('runs the modules with their env and createOptions', async () => {
    h = await startAgent(engine, systemClock);
    const status = await h.agent.applyText(deployment({ sensor: { env: { INTERVAL: '5' }, createOptions: { WorkingDir: '/tmp' } } }, shape));
    expect(status).toEqual({ code: 200, description: '' });
    const info = await inspect('sensor');
    expect(info.State.Running).toBe(true);
    expect(info.Config.Env).toContain('INTERVAL=5');
    expect(info.Config.WorkingDir).toBe('/tmp');
    const reported = await h.agent.reportedState();
    expect(reported.modules.sensor).toMatchObject({ runtimeStatus: 'running', restartCount: 0, status: 'running' });
    expect(reported.lastDesiredStatus.code).toBe(200);
  });
});

it('starts modules in startupOrder, each after the earlier ones run', async () => {
  h = await startAgent(engine, systemClock);
  await h.agent.applyText(deployment({ third: {}, first: { startupOrder: 0 }, second: { startupOrder: 1 } }));
  const started = await Promise.all(['first', 'second', 'third'].map(async (n) => Date.parse((await inspect(n)).State.StartedAt)));
  expect(started[0]).toBeLessThanOrEqual(started[1]);
  expect(started[1]).toBeLessThanOrEqual(started[2]);
  const plan = h.log.lines.filter((l) => /Starting module/.test(l)).map((l) => /Starting module (\w+)/.exec(l)![1]);
  expect(plan).toEqual(['first', 'second', 'third']);
});

it('recreates only what changed (and says why), removes what left, never touches foreign containers', async () => {
  h = await startAgent(engine, systemClock);
  engine.cli('run', '-d', '--name', 'foreign', 'edge-test/busybox:1', 'sleep', '3600');
  await h.agent.applyText(deployment({ keep: {}, change: { env: { A: '1' } }, leave: {} }, 'local', 1));
  const before = await ids();
  await h.agent.applyText(deployment({ keep: {}, change: { env: { A: '2' } }, stopme: { status: 'stopped' } }, 'local', 2));
  const after = await ids();
  expect(after.keep).toBe(before.keep);
  expect(after.change).not.toBe(before.change);
  expect(after.leave).toBeUndefined();
  expect((await inspect('stopme')).State.Status).toBe('created');
  expect((await inspect('change')).Config.Env).toContain('A=2');
  expect((await inspect('foreign')).State.Running).toBe(true);
  expect(h.log.lines.some((l) => /Recreating module change: env\.A changed/.test(l))).toBe(true);
  expect(h.log.lines.some((l) => /A=2|"2"/.test(l) && /Recreating/.test(l))).toBe(false);
  expect(h.log.lines.some((l) => /Removing module leave: no longer in the deployment/.test(l))).toBe(true);
  const reported = await h.agent.reportedState();
  expect(reported.lastDesiredVersion).toBe(2);
  expect(reported.modules.stopme).toMatchObject({ status: 'stopped', runtimeStatus: 'stopped' });
});

it('an invalid update is rejected with module and field, and the old modules keep running', async () => {
  h = await startAgent(engine, systemClock);
  await h.agent.applyText(deployment({ aa: {}, bb: {} }));
  const before = await ids();
  const bad = JSON.parse(deployment({ aa: {}, bb: {} }, 'local', 2));
  bad.deploymentConfig.modules.bb.settings.createOptions = '{"Cmd": [';
  const status = await h.agent.applyText(JSON.stringify(bad));
  expect(status.code).toBe(400);
  expect(status.description).toMatch(/modules\.bb\.settings\.createOptions/);
  expect(await ids()).toEqual(before);
  for (const n of ['aa', 'bb']) expect((await inspect(n)).State.Running).toBe(true);
  expect((await h.agent.applyText('{"version": 3, "deploymentConfig": {"schemaVersion": "9.0"}}')).code).toBe(412);
  expect((await h.agent.applyText('not json')).code).toBe(400);
  await h.agent.flushReportedState();
  const file = JSON.parse(readFileSync(path.join(h.home, 'reported-state.json'), 'utf8'));
  expect(file.lastDesiredStatus.code).toBe(400);
  expect(file.modules.aa.runtimeStatus).toBe('running');
});

it('a new agent adopts running modules after the old one vanished (kill -9): nothing recreated', async () => {
  const first = await startAgent(engine, systemClock);
  const text = deployment({ aa: { restartPolicy: 'always' }, bb: { startupOrder: 1 } });
  await first.agent.applyText(text);
  h = first;
  const before = await ids();
  // No stop(): the old agent's watchers are simply abandoned, as when its process is killed.
  h = await startAgent(engine, systemClock, { home: first.home });
  const status = await h.agent.applyText(text);
  expect(status.code).toBe(200);
  expect(await ids()).toEqual(before);
  expect(h.log.lines.filter((l) => /Creating|Recreating|Removing|Starting module/.test(l))).toEqual([]);
  await first.agent.stop();
});

it('a module whose create fails is reported and retried, others run', async () => {
  h = await startAgent(engine, systemClock);
  const status = await h.agent.applyText(deployment({ good: {}, bad: { image: 'edge-test/missing:1' } }));
  expect(status.code).toBe(500);
  expect(status.description).toMatch(/module bad: create failed/);
  expect((await inspect('good')).State.Running).toBe(true);
  const reported = await h.agent.reportedState();
  expect(reported.modules.bad).toMatchObject({ runtimeStatus: 'failed' });
  expect(reported.modules.bad.statusDescription).toMatch(/edge-test\/missing:1/);
  engine.buildImages('edge-test/missing:1');
  // The retry timer fires after the first cool-off (10 s with upstream's constants): kick it now instead.
  await h.agent.kick(['bad']);
  expect((await inspect('bad')).State.Running).toBe(true);
  // Its retry succeeded: the deployment is applied now, and the reported state (and the snap's health) says so.
  expect((await h.agent.reportedState()).lastDesiredStatus).toEqual({ code: 200, description: '' });
});
