/**
 * Image garbage collection of 200 unused tracked images by a real edged process (POST
 * /images/prune, what `iotedge system prune-images` sends), against `docker image prune -a -f`
 * over 200 fresh images on the same private engine in the same run. Before each round the 200
 * images are made and written into edged's tracking file as last used 8 days ago, then edged is
 * started on it (the threshold is 7 days). Goal: collector <= 1.2x prune (median of the rounds).
 *   node bench/run.js gc        (BENCH_QUICK=1: 2 rounds)
 * BENCH_COMPARE=<another checkout>/bin/edged collects a third batch each round with that edged.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { trackerFile } from '../src/gc/tracker';
import { startTestEngine } from '../test/helpers/engine';
import { imageMaker, type ImageMaker } from '../test/integration/gc/fixtures';
import { spawnEdged } from './lib/edged-process';
import { report } from './lib/goal';
import { modeLine, rounds } from './lib/mode';
import { median, nowMs } from './lib/stats';
import { runBench } from './lib/run-bench';

const COUNT = 200;
const ROUNDS = rounds(5, 2);
const DAY = 24 * 3600_000;

async function makeImages(maker: ImageMaker, round: number): Promise<{ tag: string; id: string }[]> {
  const out: { tag: string; id: string }[] = [];
  for (let i = 0; i < COUNT; i++) {
    const tag = `bench/img-${i}:r${round}`;
    out.push({ tag, id: await maker.make(tag, 4096) });
  }
  return out;
}

async function main(): Promise<void> {
  console.log(modeLine());
  const engine = await startTestEngine({ images: ['bench/base:1'] });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gc-bench-'));
  try {
    const maker = await imageMaker(engine.docker, { runnable: false });
    const env = { ...process.env, DOCKER_HOST: engine.host };
    const ratios: number[] = [];
    const compare = process.env.BENCH_COMPARE;
    const otherRatios: number[] = [];
    /** Makes the 200 images, tracks them as unused for 8 days, and has `entry`'s edged collect them. */
    const collect = async (batch: number, entry?: string): Promise<number> => {
      const images = await makeImages(maker, batch);
      const old = new Date(Date.now() - 8 * DAY).toISOString();
      const file = trackerFile(path.join(dir, 'home'));
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ version: 1, images: Object.fromEntries(images.map((i) => [i.id, { refs: [i.tag], lastUsed: old }])) }));
      const edged = spawnEdged({ dir, engineHost: engine.host, entry });
      try {
        await edged.ready();
        const t = nowMs();
        const r = await edged.client.pruneImages({ dryRun: false });
        const ms = nowMs() - t;
        if (r.removed.length !== COUNT) throw new Error(`edged removed ${r.removed.length}, expected ${COUNT}`);
        return ms;
      } finally {
        await edged.stop();
      }
    };
    for (let round = 0; round < ROUNDS; round++) {
      const gcMs = await collect(round);
      const otherMs = compare ? await collect(round + 200, compare) : undefined;
      await makeImages(maker, round + 100);
      const t = nowMs();
      const out = execFileSync('/usr/bin/docker', ['image', 'prune', '-a', '-f'], { env, encoding: 'utf8' });
      const pruneMs = nowMs() - t;
      const deleted = (out.match(/^deleted: /gim) ?? []).length;
      if (deleted < COUNT) throw new Error(`docker image prune deleted ${deleted}, expected at least ${COUNT}`);
      engine.buildImages('bench/base:1');
      ratios.push(gcMs / pruneMs);
      if (otherMs !== undefined) otherRatios.push(otherMs / pruneMs);
      console.log(
        `round ${round + 1}: edged ${gcMs.toFixed(0)} ms, docker image prune -a -f ${pruneMs.toFixed(0)} ms (${deleted} deleted); ratio ${(gcMs / pruneMs).toFixed(2)}` +
          (otherMs !== undefined ? `; ${compare} ${otherMs.toFixed(0)} ms, ratio ${(otherMs / pruneMs).toFixed(2)}` : ''),
      );
    }
    if (compare) console.log(`  ${compare} (BENCH_COMPARE): median ratio ${median(otherRatios).toFixed(2)}`);
    report({ measure: `image GC of ${COUNT} unused images vs docker image prune -a -f`, value: median(ratios), limit: 1.2, unit: 'x' });
  } finally {
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
