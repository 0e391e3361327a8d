import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageUseTracker, trackerFile } from '../../../src/gc/tracker';
import { ImageTrackingRuntime } from '../../../src/gc/tracking-runtime';
import type { ModuleSpec } from '../../../src/runtime/types';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { FakeRuntime } from '../../helpers/fake-runtime';
import { FakeImageStore, idOf } from '../../helpers/fake-image-store';

const spec = (name: string, image: string): ModuleSpec => ({
  name,
  type: 'docker',
  config: { image, createOptions: {} },
  env: {},
  imagePullPolicy: 'never',
});

describe('ImageTrackingRuntime', () => {
  let home: string;
  let clock: FakeClock;
  let inner: FakeRuntime;
  let store: FakeImageStore;
  let tracker: ImageUseTracker;
  let logger: ReturnType<typeof memoryLogger>;
  let runtime: ImageTrackingRuntime;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'gc-tracking-'));
    clock = new FakeClock(Date.UTC(2026, 0, 1));
    inner = new FakeRuntime(clock);
    store = new FakeImageStore();
    store.add(1, ['app:1']);
    logger = memoryLogger();
    tracker = new ImageUseTracker(trackerFile(home), { clock, logger });
    runtime = new ImageTrackingRuntime(inner, tracker, store, logger);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('records a use on create, pull and remove (when the container goes)', async () => {
    await runtime.create(spec('mod', 'app:1'));
    expect(await tracker.snapshot()).toEqual([{ id: idOf(1), refs: ['app:1'], lastUsed: clock.now() }]);
    await clock.advance(1000);
    await runtime.pull({ image: 'app:1', createOptions: {} });
    expect(tracker.lastUsedOf(idOf(1))).toBe(clock.now());
    await clock.advance(1000);
    await runtime.remove('mod');
    expect(tracker.lastUsedOf(idOf(1))).toBe(clock.now());
  });

  it('marks the reference in flight while a create runs', async () => {
    let seen: string[] = [];
    const create = inner.create.bind(inner);
    inner.create = async (s) => {
      seen = tracker.inFlightRefs();
      return create(s);
    };
    await runtime.create(spec('mod', 'docker.io/library/app:1'));
    expect(seen).toEqual(['app:1']);
    expect(tracker.inFlightRefs()).toEqual([]);
  });

  it('never fails the module operation because recording failed', async () => {
    store.resolve = async () => {
      throw new Error('engine hiccup');
    };
    await expect(runtime.create(spec('mod', 'app:1'))).resolves.toMatchObject({ name: 'mod' });
    expect(logger.lines.join('\n')).toContain('could not record the use of image app:1');
    expect(tracker.inFlightRefs()).toEqual([]);
  });

  it('releases the in-flight mark when the create fails', async () => {
    await runtime.create(spec('mod', 'app:1'));
    await expect(runtime.create(spec('mod', 'app:1'))).rejects.toThrow();
    expect(tracker.inFlightRefs()).toEqual([]);
  });
});
