/**
 * The collector against a real engine, through the real Docker runtime wrapped so that it
 * records image use. Time (image age) comes from a FakeClock; the engine calls are real.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConflictError } from '../../../src/errors';
import { ImageCollector } from '../../../src/gc/collector';
import { ImageUseTracker, trackerFile } from '../../../src/gc/tracker';
import { ImageTrackingRuntime } from '../../../src/gc/tracking-runtime';
import { DockerImageStore } from '../../../src/runtime/docker/images';
import { DockerModuleRuntime } from '../../../src/runtime/docker/runtime';
import type { ModuleSpec } from '../../../src/runtime/types';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';
import { startTestEngine, type TestEngine } from '../../helpers/engine';
import { imageMaker, type ImageMaker } from './fixtures';

const DAY = 24 * 3600_000;
const AGENT = 'edge-test/agent:1';

const spec = (name: string, image: string): ModuleSpec => ({
  name,
  type: 'docker',
  config: { image, createOptions: { Cmd: ['sleep', '600'] } },
  env: {},
  imagePullPolicy: 'never',
});

describe('image garbage collection on a real engine', () => {
  let engine: TestEngine;
  let maker: ImageMaker;
  let home: string;
  let clock: FakeClock;
  let store: DockerImageStore;
  let tracker: ImageUseTracker;
  let runtime: ImageTrackingRuntime;
  let desired: string[];
  let collector: ImageCollector;
  const exists = async (ref: string) => (await store.resolve(ref)) !== undefined;

  beforeAll(async () => {
    engine = await startTestEngine();
    maker = await imageMaker(engine.docker, { runnable: true });
    home = mkdtempSync(path.join(os.tmpdir(), 'gc-int-'));
    clock = new FakeClock(Date.now());
    const logger = memoryLogger();
    store = new DockerImageStore(engine.docker);
    tracker = new ImageUseTracker(trackerFile(home), { clock, logger });
    runtime = new ImageTrackingRuntime(
      new DockerModuleRuntime({ docker: engine.docker, logger, clock, network: 'gc-test' }),
      tracker,
      store,
      logger,
    );
    desired = [];
    collector = new ImageCollector({
      images: store,
      tracker,
      deploymentLock: new Mutex(),
      clock,
      logger,
      thresholdMs: () => 7 * DAY,
      edgeAgentImage: () => AGENT,
      desiredImages: () => desired,
    });
  }, 120_000);

  afterAll(async () => {
    await engine?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('removes the image of a module removed from the deployment once it is older than the threshold', async () => {
    await maker.make('mod-a:1');
    await maker.make('mod-b:1');
    await runtime.create(spec('module-a', 'mod-a:1'));
    await runtime.start('module-a');
    await runtime.create(spec('module-b', 'mod-b:1'));
    desired = ['mod-a:1', 'mod-b:1'];
    expect((await collector.run()).removed).toEqual([]);

    // The next deployment drops module b.
    desired = ['mod-a:1'];
    await runtime.remove('module-b');
    let report = await collector.run();
    expect(report.removed).toEqual([]);
    expect(report.kept).toEqual(expect.arrayContaining([expect.objectContaining({ tags: ['mod-b:1'], reason: 'recently-used' })]));

    await clock.advance(6 * DAY);
    expect((await collector.run()).removed).toEqual([]);

    await clock.advance(DAY);
    const bId = await store.resolve('mod-b:1');
    report = await collector.run({ trigger: 'schedule' });
    expect(report.removed.map((r) => r.tags)).toEqual([['mod-b:1']]);
    expect(report.removed[0].id).toBe(bId);
    expect(report.bytesFreed).toBeGreaterThan(0);
    expect(await exists('mod-b:1')).toBe(false);
    // Module a's image: its running container uses it, whatever its age.
    expect(await exists('mod-a:1')).toBe(true);
    expect((await runtime.get('module-a')).state.status).toBe('running');
    expect((await tracker.snapshot()).map((t) => t.id)).not.toContain(bId);
  });

  it('never touches an image edged did not pull or create from, however old and unused', async () => {
    const foreign = await maker.make('someone-else/tool:1');
    await clock.advance(365 * DAY);
    const report = await collector.run();
    expect(report.removed.map((r) => r.id)).not.toContain(foreign);
    expect(report.foreignImages).toBeGreaterThanOrEqual(2); // this one and edge-test/busybox:1
    expect(await exists('someone-else/tool:1')).toBe(true);
  });

  it('keeps the images of stopped containers, edged-owned or foreign', async () => {
    await maker.make('mod-c:1');
    await maker.make('mod-d:1');
    await runtime.create(spec('module-c', 'mod-c:1')); // created, never started
    await runtime.create(spec('module-d', 'mod-d:1'));
    await runtime.remove('module-d');
    engine.cli('create', '--name', 'foreign-d', 'mod-d:1', 'true'); // someone else's stopped container
    await clock.advance(30 * DAY);
    const report = await collector.run();
    const reasons = Object.fromEntries(report.kept.map((k) => [k.tags[0], k.reason]));
    expect(reasons['mod-c:1']).toBe('in-use');
    expect(reasons['mod-d:1']).toBe('in-use');
    expect(await exists('mod-c:1')).toBe(true);
    expect(await exists('mod-d:1')).toBe(true);
    expect((await runtime.get('module-c')).state.status).not.toBe('unknown');
    engine.cli('rm', 'foreign-d');
  });

  it('keeps the edgeAgent image and the images the desired deployment names, even unused', async () => {
    await maker.make(AGENT);
    await maker.make('mod-e:1');
    await runtime.create(spec('edgeAgent', AGENT));
    await runtime.remove('edgeAgent');
    await tracker.recordUse('mod-e:1', (await store.resolve('mod-e:1'))!); // as after a pull
    desired = ['mod-a:1', 'docker.io/library/mod-e:1'];
    await clock.advance(30 * DAY);
    const report = await collector.run();
    const reasons = Object.fromEntries(report.kept.map((k) => [k.tags[0], k.reason]));
    expect(reasons[AGENT]).toBe('edge-agent');
    expect(reasons['mod-e:1']).toBe('desired');
    expect(await exists(AGENT)).toBe(true);
    expect(await exists('mod-e:1')).toBe(true);
  });

  it('removes every tag of a collected image, and lists without changing anything in a dry run', async () => {
    const id = await maker.make('mod-f:1');
    engine.cli('tag', 'mod-f:1', 'mod-f:latest');
    await tracker.recordUse('mod-f:1', id);
    await clock.advance(8 * DAY);
    const dry = await collector.run({ dryRun: true });
    expect(dry.removed.map((r) => r.id)).toEqual([id]);
    expect(await exists('mod-f:1')).toBe(true);
    const report = await collector.run();
    expect(report.removed.map((r) => r.id)).toEqual([id]);
    expect(await exists('mod-f:1')).toBe(false);
    expect(await exists('mod-f:latest')).toBe(false);
    expect(await exists(id)).toBe(false);
  });

  it('the engine refuses to remove an image a stopped container uses, and its tags stay as they were', async () => {
    const id = await maker.make('mod-g:1');
    engine.cli('tag', 'mod-g:1', 'mod-g:2');
    engine.cli('create', '--name', 'uses-g', 'mod-g:2', 'true');
    await expect(store.remove(id)).rejects.toBeInstanceOf(ConflictError);
    expect((await engine.docker.getImage(id).inspect()).RepoTags?.sort()).toEqual(['mod-g:1', 'mod-g:2']);
    engine.cli('rm', 'uses-g');
  });

  it('skips, with the engine reason, a tracked image another image is built on; the run goes on', async () => {
    const parent = await maker.make('mod-h:1');
    const other = await maker.make('mod-i:1');
    engine.cli('create', '--name', 'builder-h', 'mod-h:1', 'true');
    engine.cli('commit', 'builder-h', 'someone/child-of-h:1');
    engine.cli('rm', 'builder-h');
    await tracker.recordUse('mod-h:1', parent);
    await tracker.recordUse('mod-i:1', other);
    await clock.advance(8 * DAY);
    const report = await collector.run();
    expect(report.skipped).toEqual([
      expect.objectContaining({ id: parent, reason: 'in-use', detail: expect.stringMatching(/another image is built on it/) }),
    ]);
    expect(report.removed.map((r) => r.id)).toEqual([other]);
    expect(await exists('mod-h:1')).toBe(true);
    expect(report.bytesFreed).toBe(report.removed[0].size);
  });
});
