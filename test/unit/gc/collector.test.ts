import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UnavailableError } from '../../../src/errors';
import { GC_CONCURRENCY, ImageCollector } from '../../../src/gc/collector';
import { ImageUseTracker, trackerFile } from '../../../src/gc/tracker';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';
import { FakeImageStore, idOf } from '../../helpers/fake-image-store';

const DAY = 24 * 3600_000;

describe('ImageCollector', () => {
  let home: string;
  let clock: FakeClock;
  let store: FakeImageStore;
  let tracker: ImageUseTracker;
  let lock: Mutex;
  let logger: ReturnType<typeof memoryLogger>;
  let desired: string[];
  const collector = (concurrency?: number) =>
    new ImageCollector({
      concurrency,
      images: store,
      tracker,
      deploymentLock: lock,
      clock,
      logger,
      thresholdMs: () => 7 * DAY,
      edgeAgentImage: () => 'agent:1',
      desiredImages: () => desired,
    });

  beforeEach(async () => {
    home = mkdtempSync(path.join(os.tmpdir(), 'gc-collector-'));
    clock = new FakeClock(Date.UTC(2026, 5, 1));
    store = new FakeImageStore();
    logger = memoryLogger();
    tracker = new ImageUseTracker(trackerFile(home), { clock, logger });
    lock = new Mutex();
    desired = [];
    store.add(1, ['old:1'], 100);
    store.add(2, ['old:2'], 200);
    store.add(3, ['foreign:1'], 300);
    store.add(4, ['agent:1'], 400);
    for (const n of [1, 2, 4]) await tracker.recordUse(`x:${n}`, idOf(n), clock.now() - 30 * DAY);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('removes old tracked images, reports them and the bytes freed, and logs one summary line', async () => {
    const report = await collector().run({ trigger: 'schedule' });
    expect(store.removed).toEqual([idOf(1), idOf(2)]);
    expect(report.removed.map((r) => r.tags[0])).toEqual(['old:1', 'old:2']);
    expect(report.bytesFreed).toBe(300);
    expect(report.kept.map((k) => [k.tags[0], k.reason])).toEqual([['agent:1', 'edge-agent']]);
    expect(report.foreignImages).toBe(1);
    expect(report.trigger).toBe('schedule');
    expect((await tracker.snapshot()).map((t) => t.id)).toEqual([idOf(4)]);
    expect(logger.lines.filter((l) => l.includes('image garbage collection removed'))).toEqual([
      expect.stringContaining('removed 2 image(s), 300 B freed; kept 1 edge image(s) and 1 other image(s)'),
    ]);
  });

  it('changes nothing in a dry run', async () => {
    const report = await collector().run({ dryRun: true });
    expect(report.removed.map((r) => r.id)).toEqual([idOf(1), idOf(2)]);
    expect(report.bytesFreed).toBe(300);
    expect(store.removed).toEqual([]);
    expect((await tracker.snapshot()).length).toBe(3);
  });

  it('keeps the images the desired deployment names', async () => {
    desired = ['docker.io/library/old:2'];
    const report = await collector().run();
    expect(store.removed).toEqual([idOf(1)]);
    expect(report.kept.map((k) => k.reason).sort()).toEqual(['desired', 'edge-agent']);
  });

  it('holds the deployment lock for the whole run: a deployment waits, and the run waits for a deployment', async () => {
    const order: string[] = [];
    store.onList = () => {
      expect(lock.locked).toBe(true);
      order.push('gc:list');
    };
    store.beforeRemove = () => {
      order.push('gc:remove');
    };
    const gc = collector().run();
    const deployment = lock.run(async () => {
      order.push('deployment');
    });
    await Promise.all([gc, deployment]);
    expect(order).toEqual(['gc:list', 'gc:remove', 'gc:remove', 'deployment']);

    order.length = 0;
    let release!: () => void;
    const held = lock.run(() => new Promise<void>((r) => (release = r)));
    const second = collector().run();
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    release();
    await Promise.all([held, second]);
    expect(order[0]).toBe('gc:list');
  });

  it('skips and reports an image that a container started using after planning; the run goes on', async () => {
    store.beforeRemove = (id) => {
      if (id === idOf(1)) store.used.add(id);
    };
    const report = await collector().run();
    expect(store.removed).toEqual([idOf(2)]);
    expect(report.skipped).toEqual([expect.objectContaining({ id: idOf(1), reason: 'in-use' })]);
    expect(report.removed.map((r) => r.id)).toEqual([idOf(2)]);
    expect(store.images.has(idOf(1))).toBe(true);
  });

  it('removes up to GC_CONCURRENCY images at once, and all of them', async () => {
    for (let n = 10; n < 20; n++) {
      store.add(n, [`old:${n}`], 10);
      await tracker.recordUse(`old:${n}`, idOf(n), clock.now() - 30 * DAY);
    }
    let inFlight = 0;
    let most = 0;
    store.beforeRemove = async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
    };
    const report = await collector().run();
    expect(most).toBe(GC_CONCURRENCY);
    expect(report.removed.length).toBe(store.removed.length);
    expect(store.removed).toEqual(expect.arrayContaining(Array.from({ length: 10 }, (_, i) => idOf(10 + i))));
  });

  it('skips an image used (recorded) or put in flight after planning', async () => {
    store.add(5, ['old:5'], 500);
    await tracker.recordUse('old:5', idOf(5), clock.now() - 30 * DAY);
    let release: (() => void) | undefined;
    store.beforeRemove = async (id) => {
      if (id !== idOf(1)) return;
      // After planning, while the first image goes: a use of the second is recorded, the third starts a pull.
      await tracker.recordUse('old:2', idOf(2), clock.now());
      release = tracker.beginUse('docker.io/library/old:5');
    };
    // One removal at a time, so the others are re-checked after the first one's changes.
    const report = await collector(1).run();
    release?.();
    expect(store.removed).toEqual([idOf(1)]);
    expect(report.skipped.map((s) => [s.tags[0], s.reason])).toEqual([
      ['old:2', 'used-since-planning'],
      ['old:5', 'in-flight'],
    ]);
  });

  it('treats an image already gone as gone, and stops early (reporting) when the engine goes away', async () => {
    store.beforeRemove = (id) => {
      if (id === idOf(1)) store.images.delete(id);
      if (id === idOf(2)) throw new UnavailableError('Docker engine not reachable at /x.sock');
    };
    const report = await collector().run();
    expect(report.skipped).toEqual([expect.objectContaining({ id: idOf(1), reason: 'already-gone' })]);
    expect(report.error).toBe('Docker engine not reachable at /x.sock');
    expect(report.bytesFreed).toBe(0);
  });

  it('refreshes the last use of tracked images containers use', async () => {
    store.used.add(idOf(1));
    await collector().run();
    expect(tracker.lastUsedOf(idOf(1))).toBe(clock.now());
    expect(store.removed).toEqual([idOf(2)]);
  });
});
