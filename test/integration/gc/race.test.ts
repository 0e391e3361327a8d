/**
 * A deployment applied while the collector runs never loses an image it needs. The two take
 * turns through the deployment lock; whichever goes first, the deployment ends with its module
 * created from its image, and the collector removed only what was unused when it looked.
 * Repeated with both orders and varying interleavings, on a real engine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { ImageCollector } from '../../../src/gc/collector';
import { ImageUseTracker, trackerFile } from '../../../src/gc/tracker';
import { ImageTrackingRuntime } from '../../../src/gc/tracking-runtime';
import { DockerImageStore } from '../../../src/runtime/docker/images';
import { DockerModuleRuntime } from '../../../src/runtime/docker/runtime';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';
import { startTestEngine, type TestEngine } from '../../helpers/engine';
import { imageMaker } from './fixtures';

const DAY = 24 * 3600_000;
const ITERATIONS = 50;
const IMAGE = 'race/module:1';

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

describe('collector and deployment race', () => {
  let engine: TestEngine;
  let home: string;

  beforeAll(async () => {
    engine = await startTestEngine();
    home = mkdtempSync(path.join(os.tmpdir(), 'gc-race-'));
  }, 120_000);
  afterAll(async () => {
    await engine?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it(`never loses an image a deployment applies while the collector runs (${ITERATIONS} rounds)`, async () => {
    const maker = await imageMaker(engine.docker, { runnable: true });
    const imageId = await maker.make(IMAGE);
    // The "registry": a saved copy, loaded back (same id) when a deployment finds the image missing.
    const saved = await drain(await engine.docker.getImage(IMAGE).get());
    const clock = new FakeClock(Date.now());
    const logger = memoryLogger();
    const store = new DockerImageStore(engine.docker);
    const tracker = new ImageUseTracker(trackerFile(home), { clock, logger });
    const runtime = new ImageTrackingRuntime(
      new DockerModuleRuntime({ docker: engine.docker, logger, clock, network: 'gc-race' }),
      tracker,
      store,
      logger,
    );
    const lock = new Mutex();
    let desired: string[] = [];
    const collector = new ImageCollector({
      images: store,
      tracker,
      deploymentLock: lock,
      clock,
      logger,
      thresholdMs: () => 7 * DAY,
      edgeAgentImage: () => undefined,
      desiredImages: () => desired,
    });

    let pulls = 0;
    const deploy = () =>
      lock.run(async () => {
        desired = [IMAGE];
        if (!(await store.resolve(IMAGE))) {
          pulls++;
          await drain(await engine.docker.loadImage(Readable.from([saved])));
        }
        await runtime.create({
          name: 'racer',
          type: 'docker',
          config: { image: IMAGE, createOptions: { Cmd: ['true'] } },
          env: {},
          imagePullPolicy: 'never',
        });
      });
    const undeploy = () =>
      lock.run(async () => {
        desired = [];
        await runtime.remove('racer');
      });

    await tracker.recordUse(IMAGE, imageId);
    let removedByGc = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      // The image is unused and old enough to go: the collector wants it, the deployment needs it.
      await clock.advance(8 * DAY);
      const jitter = i % 5;
      const [report] =
        i % 2 === 0
          ? await Promise.all([collector.run(), ticks(jitter).then(deploy)])
          : await Promise.all([ticks(jitter).then(() => collector.run()), deploy()]);

      const container = await engine.docker.getContainer('racer').inspect();
      expect(container.Image).toBe(imageId);
      expect(await store.resolve(IMAGE)).toBe(imageId);
      expect(report.skipped).toEqual([]);
      if (report.removed.length) removedByGc++;
      await undeploy();
    }
    // Both orders happened: the collector sometimes went first (and the deployment pulled again).
    expect(removedByGc).toBeGreaterThan(0);
    expect(removedByGc).toBeLessThan(ITERATIONS);
    expect(pulls).toBe(removedByGc);
  }, 240_000);
});
