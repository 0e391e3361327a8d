/**
 * Deployment benchmark, all on one private engine in one run:
 *  1. cold deployment of 20 modules by the agent, against (a) the floor: the same containers
 *     created and started by a bare dockerode loop, and (b) Debian's `docker-compose up -d` of the
 *     equivalent compose file. Reported as ratios (goal: agent <= 1.2x floor, faster than compose).
 *  2. restart lateness: how long after its scheduled time a crashed module is started again,
 *     with the real clock and a short cool-off (goal: median under 100 ms).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent } from '../src/agent/agent';
import { DockerModuleRuntime } from '../src/runtime/docker/runtime';
import { OWNER_LABEL, OWNER_VALUE } from '../src/runtime/types';
import { systemClock } from '../src/util/clock';
import { createLogger } from '../src/util/log';
import { Mutex } from '../src/util/mutex';
import { startTestEngine, TestEngine } from '../test/helpers/engine';

const MODULES = 20;
const ROUNDS = 3;
const IMAGE = 'edge-test/busybox:1';
const NETWORK = 'azure-iot-edge';
const CMD = ['sleep', '3600'];
const names = Array.from({ length: MODULES }, (_, i) => `module${String(i + 1).padStart(2, '0')}`);
const quiet = createLogger({ level: 'error' });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

async function removeAll(engine: TestEngine): Promise<void> {
  const all = await engine.docker.listContainers({ all: true });
  await Promise.all(all.map((c) => engine.docker.getContainer(c.Id).remove({ force: true })));
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

function deploymentText(): string {
  const modules = Object.fromEntries(
    names.map((n) => [
      n,
      { version: '1.0', type: 'docker', status: 'running', restartPolicy: 'always', imagePullPolicy: 'never', settings: { image: IMAGE, createOptions: JSON.stringify({ Cmd: CMD }) } },
    ]),
  );
  return JSON.stringify({ version: 1, deploymentConfig: { schemaVersion: '1.1', runtime: { type: 'docker', settings: {} }, systemModules: {}, modules } });
}

async function floor(engine: TestEngine): Promise<void> {
  for (const name of names) {
    const c = await engine.docker.createContainer({
      name,
      Image: IMAGE,
      Cmd: CMD,
      Labels: { [OWNER_LABEL]: OWNER_VALUE },
      HostConfig: { NetworkMode: NETWORK },
    });
    await c.start();
  }
}

/** Not the goal's floor (which is the plain loop), shown for honesty: the agent starts one startupOrder group in parallel. */
async function floorParallel(engine: TestEngine): Promise<void> {
  await Promise.all(
    names.map(async (name) => {
      const c = await engine.docker.createContainer({ name, Image: IMAGE, Cmd: CMD, Labels: { [OWNER_LABEL]: OWNER_VALUE }, HostConfig: { NetworkMode: NETWORK } });
      await c.start();
    }),
  );
}

/** Docker's own time to start an exited container: the part of a restart no agent can save. */
async function bareStarts(engine: TestEngine, n: number): Promise<number[]> {
  const c = await engine.docker.createContainer({ name: 'bare-start', Image: IMAGE, Cmd: ['true'], HostConfig: { NetworkMode: NETWORK } });
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    await c.wait({ condition: 'not-running' });
    times.push(await time(() => c.start()));
  }
  await c.remove({ force: true });
  return times;
}

async function agentDeploy(engine: TestEngine): Promise<void> {
  const runtime = new DockerModuleRuntime({ docker: engine.docker, logger: quiet, network: NETWORK });
  const agent = new Agent({ runtime, clock: systemClock, logger: quiet, lock: new Mutex() });
  const status = await agent.applyText(deploymentText());
  if (status.code !== 200) throw new Error(`deployment failed: ${status.description}`);
  await agent.stop();
}

function composeFile(dir: string): string {
  const services = names.map((n) => `  ${n}:\n    image: ${IMAGE}\n    container_name: ${n}\n    command: [${CMD.map((c) => `"${c}"`).join(', ')}]\n    networks: [edge]\n`).join('');
  const file = path.join(dir, 'docker-compose.yml');
  writeFileSync(file, `version: "2.4"\nservices:\n${services}networks:\n  edge:\n    external: true\n    name: ${NETWORK}\n`);
  return file;
}

async function lateness(engine: TestEngine): Promise<{ issued: number[]; started: number[] }> {
  const issued: number[] = [];
  const started: number[] = [];
  const runtime = new DockerModuleRuntime({ docker: engine.docker, logger: quiet, network: NETWORK });
  const samples = 20;
  let done!: () => void;
  const finished = new Promise<void>((r) => (done = r));
  const agent = new Agent({
    runtime,
    clock: systemClock,
    logger: quiet,
    lock: new Mutex(),
    settings: { coolOffUnitMs: 250, maxCoolOffMs: 250, maxRestartCount: 1000 },
    onRestarted: ({ scheduledAt, issuedAt, startedAt }) => {
      if (scheduledAt === undefined) return;
      issued.push(issuedAt - scheduledAt);
      started.push(startedAt - scheduledAt);
      if (started.length === samples) done();
    },
  });
  await agent.start();
  // One crasher at a time: its start competes with nothing, like the bare start it is compared with.
  const crashers = ['crasher'];
  const modules = Object.fromEntries(
    crashers.map((n) => [n, { type: 'docker', restartPolicy: 'always', imagePullPolicy: 'never', settings: { image: IMAGE, createOptions: JSON.stringify({ Cmd: ['sh', '-c', 'sleep 0.1; exit 1'] }) } }]),
  );
  await agent.applyText(JSON.stringify({ version: 1, deploymentConfig: { schemaVersion: '1.1', modules } }));
  await Promise.race([finished, new Promise((_, reject) => setTimeout(() => reject(new Error('restart samples timed out')), 120_000))]);
  await agent.stop();
  return { issued, started };
}

async function main(): Promise<void> {
  const engine = await startTestEngine();
  const env = { ...process.env, DOCKER_HOST: engine.host };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'deploy-bench-'));
  const compose = composeFile(dir);
  try {
    await engine.docker.createNetwork({ Name: NETWORK, Labels: { [OWNER_LABEL]: OWNER_VALUE } });
    const results: Record<'floor' | 'parallel' | 'agent' | 'compose', number[]> = { floor: [], parallel: [], agent: [], compose: [] };
    const runs: [keyof typeof results, () => Promise<unknown>][] = [
      ['floor', () => floor(engine)],
      ['parallel', () => floorParallel(engine)],
      ['agent', () => agentDeploy(engine)],
      ['compose', async () => execFileSync('docker-compose', ['-f', compose, '-p', 'bench', 'up', '-d', '--no-color'], { env, stdio: 'ignore' })],
    ];
    // One warm-up of each (page cache, engine caches), then rounds in alternating order.
    for (const [, run] of runs) {
      await run();
      await removeAll(engine);
    }
    for (let r = 0; r < ROUNDS; r++) {
      for (const [name, run] of r % 2 ? [...runs].reverse() : runs) {
        results[name].push(await time(run));
        await removeAll(engine);
      }
    }
    const f = median(results.floor);
    const a = median(results.agent);
    const c = median(results.compose);
    console.log(`cold deployment of ${MODULES} modules (median of ${ROUNDS}):`);
    console.log(`  floor (dockerode create+start loop)  ${f.toFixed(0)} ms`);
    console.log(`  agent (edged local deployment)       ${a.toFixed(0)} ms   ratio to floor ${(a / f).toFixed(2)}x (goal <= 1.2x)`);
    console.log(`  docker-compose up -d                 ${c.toFixed(0)} ms   agent/compose ${(a / c).toFixed(2)}x (goal < 1x)`);
    const p = median(results.parallel);
    console.log(`  (dockerode, all 20 in parallel       ${p.toFixed(0)} ms   agent/parallel ${(a / p).toFixed(2)}x)`);

    const l = await lateness(engine);
    console.log(`restart lateness after the scheduled time (${l.started.length} restarts, real clock, 250 ms cool-off):`);
    console.log(`  start issued   median ${median(l.issued).toFixed(1)} ms, p90 ${percentile(l.issued, 90).toFixed(1)} ms`);
    console.log(`  start returned median ${median(l.started).toFixed(1)} ms, p90 ${percentile(l.started, 90).toFixed(1)} ms (goal: median < 100 ms)`);
    const bare = median(await bareStarts(engine, 10));
    console.log(`  docker's own start of an exited container (same engine, same run): median ${bare.toFixed(1)} ms`);
    console.log(`  => lateness the agent adds beyond Docker's start: ${(median(l.started) - bare).toFixed(1)} ms`);
  } finally {
    await removeAll(engine).catch(() => undefined);
    await engine.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
