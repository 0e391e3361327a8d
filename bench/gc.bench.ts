/**
 * Image garbage collection over 200 unused tracked images, against `docker image prune -a -f` on
 * the same private engine in the same run (the 200 images are made again before each). Reports
 * the ratio collector / prune per round and the median: the collector does more (tracking file,
 * per-image checks, tag-by-tag removal), this says how much that costs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageCollector } from '../src/gc/collector';
import { ImageUseTracker, trackerFile } from '../src/gc/tracker';
import { DockerImageStore } from '../src/runtime/docker/images';
import { FakeClock } from '../src/util/clock';
import { createLogger } from '../src/util/log';
import { Mutex } from '../src/util/mutex';
import { startTestEngine } from '../test/helpers/engine';
import { imageMaker, type ImageMaker } from '../test/integration/gc/fixtures';

const COUNT = 200;
const ROUNDS = 5;
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
  const engine = await startTestEngine({ images: ['bench/base:1'] });
  const home = mkdtempSync(path.join(os.tmpdir(), 'gc-bench-'));
  try {
    const maker = await imageMaker(engine.docker, { runnable: false });
    const clock = new FakeClock(Date.now());
    const logger = createLogger({ level: 'warn' });
    const store = new DockerImageStore(engine.docker);
    const tracker = new ImageUseTracker(trackerFile(home), { clock, logger });
    const collector = new ImageCollector({
      images: store,
      tracker,
      deploymentLock: new Mutex(),
      clock,
      logger,
      thresholdMs: () => 7 * DAY,
      edgeAgentImage: () => undefined,
      desiredImages: () => [],
    });
    const env = { ...process.env, DOCKER_HOST: engine.host };
    const ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const images = await makeImages(maker, round);
      for (const i of images) await tracker.recordUse(i.tag, i.id, clock.now());
      await clock.advance(8 * DAY);
      let t = process.hrtime.bigint();
      const report = await collector.run({ trigger: 'manual' });
      const gcMs = Number(process.hrtime.bigint() - t) / 1e6;
      if (report.removed.length !== COUNT) throw new Error(`collector removed ${report.removed.length}, expected ${COUNT}`);

      await makeImages(maker, round + 100);
      t = process.hrtime.bigint();
      const out = execFileSync('/usr/bin/docker', ['image', 'prune', '-a', '-f'], { env, encoding: 'utf8' });
      const pruneMs = Number(process.hrtime.bigint() - t) / 1e6;
      const deleted = (out.match(/^deleted: /gim) ?? []).length;
      if (deleted < COUNT) throw new Error(`docker image prune deleted ${deleted}, expected at least ${COUNT}`);
      engine.buildImages('bench/base:1');

      ratios.push(gcMs / pruneMs);
      console.log(
        `round ${round + 1}: collector ${gcMs.toFixed(0)} ms (${report.removed.length} images, ${report.bytesFreed} B reported), ` +
          `docker image prune -a -f ${pruneMs.toFixed(0)} ms (${deleted} layers/images deleted); ratio ${(gcMs / pruneMs).toFixed(2)}`,
      );
    }
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)];
    console.log(`gc over ${COUNT} unused tracked images vs docker image prune -a -f: median ratio ${median.toFixed(2)} (lower is faster)`);
  } finally {
    await engine.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
