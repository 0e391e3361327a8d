/**
 * Deployment figures of a real edged process (bin/edged with a [local_deployment] file, its file
 * watcher and its event watcher) on one private engine, each against a baseline on the same
 * engine in the same run, rounds alternating:
 *  1. cold deployment of 10 / 50 / 100 modules: the manifest renamed into place until the engine
 *     reports the last container started, against a parallel dockerode create+start loop
 *     (goal <= 1.0x);
 *  2. 1 of 100 modules changed (its env): until its new container started, against the same
 *     remove + create + start done by hand with dockerode (goal <= 1.1x, the 99 others untouched);
 *  3. restart lateness: a module that exits after 0.1 s, restarted after a 1 s cool-off; the
 *     engine's die→start time less the cool-off and less docker's own start of an exited
 *     container (goal: median <= 100 ms);
 *  4. reboot start: the deployment's 10 containers stopped (as a stop of the engine leaves them),
 *     `node bin/edged` started until all 10 run, against one `docker start` of the 10
 *     (goal <= 1.2x).
 *   node bench/run.js deploy        (BENCH_QUICK=1: 10 modules, one round)
 * BENCH_COMPARE=<another checkout>/bin/edged adds that edged to the cold deployments, in the same
 * rounds (the two never run at once: each round stops one and starts the other), for a before /
 * after figure of a change.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { OWNER_LABEL, OWNER_VALUE } from '../src/runtime/types';
import { startTestEngine, type TestEngine } from '../test/helpers/engine';
import { spawnEdged, writeAtomically, type EdgedProcess } from './lib/edged-process';
import { deployment, type ModuleDef } from '../test/helpers/deployment';
import { EngineEvents } from './lib/engine-events';
import { report } from './lib/goal';
import { modeLine, QUICK, rounds, sizes } from './lib/mode';
import { median, nowMs, percentile } from './lib/stats';
import { runBench, stopEngineAfterBench } from './lib/run-bench';

const IMAGE = 'edge-test/busybox:1';
const NETWORK = 'azure-iot-edge';
const CMD = ['sleep', '3600'];
const COOL_OFF_MS = 1000;
const ROUNDS = rounds(3, 1);
const nameList = (n: number, prefix = 'module') => Array.from({ length: n }, (_, i) => `${prefix}${String(i + 1).padStart(3, '0')}`);
const modulesOf = (names: string[], extra: Record<string, Partial<ModuleDef>> = {}) =>
  Object.fromEntries(names.map((n) => [n, { image: IMAGE, cmd: CMD, ...extra[n] }]));

interface Bench {
  engine: TestEngine;
  docker: Docker;
  events: EngineEvents;
  file: string;
  dir: string;
  toml: string;
}

/** The engine's containers not owned by edged (the baselines'), removed. */
async function removeUnowned(docker: Docker): Promise<void> {
  const all = await docker.listContainers({ all: true });
  await Promise.all(all.filter((c) => c.Labels[OWNER_LABEL] !== OWNER_VALUE).map((c) => docker.getContainer(c.Id).remove({ force: true })));
}

/** The baseline: every container created and started at once. Not owner-labelled: edged leaves it alone. */
async function parallelLoop(docker: Docker, names: string[]): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      const c = await docker.createContainer({ name: `floor-${name}`, Image: IMAGE, Cmd: CMD, HostConfig: { NetworkMode: NETWORK } });
      await c.start();
    }),
  );
}

/** Applies a manifest through edged's watched file; resolves when the engine has started `names`. */
async function edgedApply(b: Bench, modules: Record<string, ModuleDef>, names: string[]): Promise<number> {
  const from = b.events.mark();
  const t0 = nowMs();
  writeAtomically(b.file, deployment(modules));
  const starts = await b.events.started(from, names);
  return Math.max(...starts.map((e) => e.seenMs)) - t0;
}

/** An empty deployment; resolves when edged has removed every container it owns. */
async function edgedClear(b: Bench): Promise<void> {
  writeAtomically(b.file, deployment({}));
  for (;;) {
    const owned = await b.docker.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${OWNER_VALUE}`] } });
    if (owned.length === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops edged, runs `fn` with `entry`'s edged on the same files instead, and starts edged again. */
async function withOtherEdged<T>(b: Bench, current: { edged?: EdgedProcess }, entry: string, fn: () => Promise<T>): Promise<T> {
  await current.edged?.stop();
  const other = spawnEdged({ dir: b.dir, engineHost: b.engine.host, toml: b.toml, entry });
  try {
    await other.ready();
    return await fn();
  } finally {
    await other.stop();
    current.edged = spawnEdged({ dir: b.dir, engineHost: b.engine.host, toml: b.toml });
    await current.edged.ready();
  }
}

async function coldDeployments(b: Bench, current: { edged?: EdgedProcess }): Promise<void> {
  const compare = process.env.BENCH_COMPARE;
  for (const n of sizes([10, 50, 100], [10])) {
    const names = nameList(n);
    const floor: number[] = [];
    const edged: number[] = [];
    const other: number[] = [];
    const apply = async () => {
      const ms = await edgedApply(b, modulesOf(names), names);
      await edgedClear(b);
      return ms;
    };
    const runs: [number[], () => Promise<number>][] = [
      [floor, async () => { const t0 = nowMs(); await parallelLoop(b.docker, names); const ms = nowMs() - t0; await removeUnowned(b.docker); return ms; }],
      [edged, apply],
      ...(compare ? [[other, () => withOtherEdged(b, current, compare, apply)] as [number[], () => Promise<number>]] : []),
    ];
    for (const [, run] of runs) await run(); // warm-up
    for (let r = 0; r < ROUNDS; r++) for (const [into, run] of r % 2 ? [...runs].reverse() : runs) into.push(await run());
    const f = median(floor);
    const e = median(edged);
    console.log(`cold deployment of ${n} modules (median of ${ROUNDS}):`);
    console.log(`  parallel dockerode create+start  ${f.toFixed(0)} ms`);
    console.log(`  edged (manifest renamed in)      ${e.toFixed(0)} ms  ${(e / f).toFixed(2)}x`);
    if (compare) console.log(`  ${compare} (BENCH_COMPARE)  ${median(other).toFixed(0)} ms  ${(median(other) / f).toFixed(2)}x`);
    report({ measure: `cold deployment, ${n} modules, vs parallel dockerode loop`, value: e / f, limit: 1.0, unit: 'x' });
  }
}

async function oneChanged(b: Bench): Promise<void> {
  const n = QUICK ? 10 : 100;
  const names = nameList(n);
  const changed = names[Math.floor(n / 2)];
  await edgedApply(b, modulesOf(names), names);
  const before = await b.docker.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${OWNER_VALUE}`] } });
  const startedAt = async (id: string) => (await b.docker.getContainer(id).inspect()).State.StartedAt;
  const othersBefore = new Map(await Promise.all(before.filter((c) => c.Names[0] !== `/${changed}`).map(async (c) => [c.Id, await startedAt(c.Id)] as const)));

  // By hand: the same container removed, created with the new env and started.
  let byHand = await b.docker.createContainer({ name: 'byhand', Image: IMAGE, Cmd: CMD, Env: ['ROUND=0'], HostConfig: { NetworkMode: NETWORK } });
  await byHand.start();
  const hand: number[] = [];
  const edged: number[] = [];
  for (let r = 1; r <= ROUNDS + 1; r++) {
    const order = r % 2 ? ['edged', 'hand'] : ['hand', 'edged'];
    for (const which of order) {
      if (which === 'edged') {
        const ms = await edgedApply(b, modulesOf(names, { [changed]: { env: { ROUND: String(r) } } }), [changed]);
        if (r > 1) edged.push(ms);
      } else {
        const t0 = nowMs();
        await byHand.remove({ force: true });
        byHand = await b.docker.createContainer({ name: 'byhand', Image: IMAGE, Cmd: CMD, Env: [`ROUND=${r}`], HostConfig: { NetworkMode: NETWORK } });
        await byHand.start();
        if (r > 1) hand.push(nowMs() - t0);
      }
    }
  }
  const after = await b.docker.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${OWNER_VALUE}`] } });
  let touched = 0;
  for (const [id, at] of othersBefore) {
    if (!after.some((c) => c.Id === id) || (await startedAt(id)) !== at) touched++;
  }
  await byHand.remove({ force: true });
  await edgedClear(b);
  console.log(`1 of ${n} modules changed (env), until its new container started (median of ${ROUNDS}):`);
  console.log(`  by hand (dockerode remove + create + start)  ${median(hand).toFixed(0)} ms`);
  console.log(`  edged (manifest renamed in)                  ${median(edged).toFixed(0)} ms`);
  report({ measure: `1 of ${n} modules changed vs by hand`, value: median(edged) / median(hand), limit: 1.1, unit: 'x' });
  report({ measure: `the ${n - 1} others recreated or restarted`, value: touched, limit: 0, unit: 'count' });
}

async function restartLateness(b: Bench): Promise<void> {
  const samples = QUICK ? 6 : 20;
  const from = b.events.mark();
  writeAtomically(b.file, deployment({ crasher: { image: IMAGE, cmd: ['sh', '-c', 'sleep 0.1; exit 1'] } }));
  const events = await b.events.until(from, (es) => es.filter((e) => e.name === 'crasher' && e.action === 'start').length > samples, 'restart samples');
  await edgedClear(b);
  const late: number[] = [];
  let die: number | undefined;
  for (const e of events.filter((x) => x.name === 'crasher')) {
    if (e.action === 'die') die = e.atMs;
    if (e.action === 'start' && die !== undefined) {
      late.push(e.atMs - die - COOL_OFF_MS);
      die = undefined;
    }
  }
  // Docker's own start of an exited container: part of every restart, no agent can save it.
  const c = await b.docker.createContainer({ name: 'bare-start', Image: IMAGE, Cmd: ['true'], HostConfig: { NetworkMode: NETWORK } });
  const bare: number[] = [];
  for (let i = 0; i < 10; i++) {
    await c.wait({ condition: 'not-running' });
    const t0 = nowMs();
    await c.start();
    bare.push(nowMs() - t0);
  }
  await c.remove({ force: true });
  const added = median(late) - median(bare);
  console.log(`restart lateness: engine's die → start less the ${COOL_OFF_MS} ms cool-off (${late.length} restarts):`);
  console.log(`  median ${median(late).toFixed(1)} ms, p90 ${percentile(late, 90).toFixed(1)} ms; docker's own start of an exited container: median ${median(bare).toFixed(1)} ms`);
  report({ measure: "restart lateness beyond the cool-off and docker's own start", value: added, limit: 100, unit: 'ms' });
}

async function rebootStart(b: Bench, edgedNow: EdgedProcess): Promise<void> {
  const names = nameList(10, 'boot');
  await edgedApply(b, modulesOf(names), names);
  await edgedNow.stop();
  const ids = (await b.docker.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${OWNER_VALUE}`] } })).map((c) => c.Id);
  const stopAll = () => Promise.all(ids.map((id) => b.docker.getContainer(id).stop({ t: 0 }).catch(() => undefined)));
  const env = { ...process.env, DOCKER_HOST: b.engine.host };
  const edged: number[] = [];
  const docker: number[] = [];
  for (let r = 0; r <= ROUNDS; r++) {
    for (const which of r % 2 ? ['docker', 'edged'] : ['edged', 'docker']) {
      await stopAll();
      const from = b.events.mark();
      const t0 = nowMs();
      if (which === 'docker') {
        execFileSync('/usr/bin/docker', ['start', ...names], { env, stdio: 'ignore' });
        await b.events.started(from, names);
        if (r > 0) docker.push(nowMs() - t0);
      } else {
        const p = spawnEdged({ dir: b.dir, engineHost: b.engine.host, toml: b.toml });
        const starts = await b.events.started(from, names, 120_000);
        if (r > 0) edged.push(Math.max(...starts.map((e) => e.seenMs)) - t0);
        await p.ready();
        await p.stop();
      }
    }
  }
  console.log(`reboot start: 10 stopped containers of the deployment until all run (median of ${ROUNDS}):`);
  console.log(`  one \`docker start\` of the 10          ${median(docker).toFixed(0)} ms`);
  console.log(`  node bin/edged started (Node included) ${median(edged).toFixed(0)} ms`);
  report({ measure: 'reboot start of 10 modules vs one docker start', value: median(edged) / median(docker), limit: 1.2, unit: 'x' });
}

async function main(): Promise<void> {
  console.log(modeLine());
  const engine = await startTestEngine();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-bench-'));
  const events = await EngineEvents.open(engine.docker);
  const file = path.join(dir, 'deployment.json');
  const toml =
    `[local_deployment]\nfile = "${file}"\n` +
    `restart_cool_off_secs = ${COOL_OFF_MS / 1000}\nrestart_max_cool_off_secs = ${COOL_OFF_MS / 1000}\nrestart_max_count = 1000\n`;
  const b: Bench = { engine, docker: engine.docker, events, file, dir, toml };
  const current: { edged?: EdgedProcess } = {};
  try {
    await engine.docker.createNetwork({ Name: NETWORK, Labels: { [OWNER_LABEL]: OWNER_VALUE } });
    writeAtomically(file, deployment({}));
    current.edged = spawnEdged({ dir, engineHost: engine.host, toml });
    await current.edged.ready();
    await coldDeployments(b, current);
    await oneChanged(b);
    await restartLateness(b);
    await rebootStart(b, current.edged);
  } catch (e) {
    if (current.edged) console.error(current.edged.log().slice(-3000));
    throw e;
  } finally {
    await current.edged?.stop();
    events.close();
    await stopEngineAfterBench(engine);
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
