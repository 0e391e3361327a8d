/**
 * `iotedge list` against `docker ps` with 10 / 50 / 200 modules run by a real edged process
 * (bin/edged, local deployment) on one private engine, interleaved runs in the same run, in a
 * device's environment (no NODE_EXTRA_CA_CERTS); the docker CLI is the 20.10 one the snap ships.
 * Goal: bin/iotedge list <= 1.2x docker ps (median wall time) at every size. Also shown: the floor
 * of a bare `node` printing as many lines, and GET /modules from a warm client (edged's own share).
 *   node bench/run.js list        (BENCH_QUICK=1: 10 modules, 5 runs)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { OWNER_LABEL, OWNER_VALUE } from '../src/runtime/types';
import { startTestEngine } from '../test/helpers/engine';
import { deviceEnv, spawnEdged, writeAtomically, type EdgedProcess } from './lib/edged-process';
import { deployment } from '../test/helpers/deployment';
import { EngineEvents } from './lib/engine-events';
import { report } from './lib/goal';
import { modeLine, rounds, sizes } from './lib/mode';
import { pssMiB } from './lib/memory';
import { median, nowMs } from './lib/stats';
import { runBench, stopEngineAfterBench } from './lib/run-bench';

const ROOT = process.cwd();
const RUNS = rounds(21, 5);
const IMAGE = 'edge-test/busybox:1';

/** One timed run; the output is checked so a failing command cannot look fast. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, expectLines: number): number {
  const t0 = nowMs();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  const ms = nowMs() - t0;
  const lines = r.stdout.split('\n').filter(Boolean).length;
  if (r.status !== 0 || lines !== expectLines) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}, ${lines} lines (want ${expectLines}): ${r.stderr}`);
  return ms;
}

async function main(): Promise<void> {
  console.log(modeLine());
  const engine = await startTestEngine();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-list-'));
  const events = await EngineEvents.open(engine.docker);
  const file = path.join(dir, 'deployment.json');
  let edged: EdgedProcess | undefined;
  try {
    writeAtomically(file, deployment({}));
    edged = spawnEdged({ dir, engineHost: engine.host, toml: `[local_deployment]\nfile = "${file}"\n` });
    await edged.ready();
    const dockerEnv = deviceEnv({ DOCKER_HOST: engine.host });
    const env = deviceEnv();
    for (const n of sizes([10, 50, 200], [10])) {
      const names = Array.from({ length: n }, (_, i) => `bench${String(i).padStart(3, '0')}`);
      const from = events.mark();
      writeAtomically(file, deployment(Object.fromEntries(names.map((m) => [m, { image: IMAGE, cmd: ['sleep', '3600'] }]))));
      await events.started(from, names);
      const lines = n + 1;
      const variants: [string, string, string[], NodeJS.ProcessEnv][] = [
        ['docker ps', '/usr/bin/docker', ['ps'], dockerEnv],
        ['bin/iotedge list', process.execPath, [path.join(ROOT, 'bin/iotedge'), '-H', edged.host, 'list'], env],
        ['node printing as many lines (floor)', process.execPath, ['-e', `console.log(Array(${lines}).fill("x").join("\\n"))`], env],
      ];
      for (const [, cmd, args, e] of variants) timed(cmd, args, e, lines); // warm-up
      const samples = variants.map(() => [] as number[]);
      for (let r = 0; r < RUNS; r++) variants.forEach(([, cmd, args, e], i) => samples[i].push(timed(cmd, args, e, lines)));
      const api: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const t0 = nowMs();
        await edged.client.list();
        api.push(nowMs() - t0);
      }
      const wall = samples.map(median);
      console.log(`${n} modules, ${RUNS} interleaved runs each (median wall time):`);
      variants.forEach(([label], i) => console.log(`  ${label.padEnd(36)} ${wall[i].toFixed(1).padStart(7)} ms${i ? `  ${(wall[i] / wall[0]).toFixed(2)}x docker ps` : ''}`));
      console.log(`  GET /modules from a warm client      ${median(api).toFixed(1).padStart(7)} ms (edged's own share)`);
      console.log(`  edged PSS with ${n} modules: ${pssMiB(edged.pid).toFixed(1)} MiB`);
      report({ measure: `iotedge list vs docker ps, ${n} modules`, value: wall[1] / wall[0], limit: 1.2, unit: 'x' });
    }
    writeAtomically(file, deployment({}));
    for (;;) {
      const owned = await engine.docker.listContainers({ all: true, filters: { label: [`${OWNER_LABEL}=${OWNER_VALUE}`] } });
      if (owned.length === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    if (edged) console.error(edged.log().slice(-3000));
    throw e;
  } finally {
    await edged?.stop();
    events.close();
    await stopEngineAfterBench(engine);
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
