import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ImageUseTracker, trackerFile } from '../../../src/gc/tracker';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { idOf } from '../../helpers/fake-image-store';

describe('ImageUseTracker', () => {
  let home: string;
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'gc-tracker-'));
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('persists each use atomically under <home>/gc/images.json, keeping the latest time', async () => {
    const t = new ImageUseTracker(trackerFile(home), { clock, logger: memoryLogger() });
    await t.recordUse('docker.io/library/app:1', idOf(1), 5000);
    await t.recordUse('app:1', idOf(1), 1000);
    await t.recordUse('other:2', idOf(1), 3000);
    const file = path.join(home, 'gc', 'images.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      version: 1,
      images: { [idOf(1)]: { refs: ['app:1', 'other:2'], lastUsed: new Date(5000).toISOString() } },
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(path.join(home, 'gc'))).toEqual(['images.json']);

    const again = new ImageUseTracker(trackerFile(home), { clock, logger: memoryLogger() });
    expect(await again.snapshot()).toEqual([{ id: idOf(1), refs: ['app:1', 'other:2'], lastUsed: 5000 }]);
  });

  it('defaults the time to the clock, touches and forgets', async () => {
    const t = new ImageUseTracker(trackerFile(home), { clock, logger: memoryLogger() });
    await t.recordUse('a:1', idOf(1));
    await t.recordUse('b:1', idOf(2));
    await t.touch([idOf(1), idOf(9)], clock.now() + 10);
    await t.forget([idOf(2)]);
    expect(await t.snapshot()).toEqual([{ id: idOf(1), refs: ['a:1'], lastUsed: clock.now() + 10 }]);
    expect(t.lastUsedOf(idOf(1))).toBe(clock.now() + 10);
  });

  it('forgets removed images unless a newer use was recorded meanwhile', async () => {
    const t = new ImageUseTracker(trackerFile(home), { clock, logger: memoryLogger() });
    await t.recordUse('a:1', idOf(1), 1000);
    await t.recordUse('b:1', idOf(2), 1000);
    await t.recordUse('b:1', idOf(2), 2000);
    await t.forgetUnlessUsedSince([
      { id: idOf(1), lastUsed: 1000 },
      { id: idOf(2), lastUsed: 1000 },
    ]);
    expect((await t.snapshot()).map((e) => e.id)).toEqual([idOf(2)]);
  });

  it('serializes concurrent records: none is lost', async () => {
    const t = new ImageUseTracker(trackerFile(home), { clock, logger: memoryLogger() });
    await Promise.all(Array.from({ length: 20 }, (_, i) => t.recordUse(`m:${i}`, idOf(i), 1000 + i)));
    const fresh = new ImageUseTracker(trackerFile(home), { clock, logger: memoryLogger() });
    expect((await fresh.snapshot()).length).toBe(20);
  });

  it('sets a damaged file aside and starts over, so nothing it lost track of is ever collected', async () => {
    mkdirSync(path.join(home, 'gc'));
    writeFileSync(trackerFile(home), '{ not json');
    const logger = memoryLogger();
    const t = new ImageUseTracker(trackerFile(home), { clock, logger });
    expect(await t.snapshot()).toEqual([]);
    expect(readdirSync(path.join(home, 'gc')).some((f) => f.startsWith('images.json.damaged-'))).toBe(true);
    expect(logger.lines.join('\n')).toContain('is damaged');
  });

  it('counts references in flight until released', () => {
    const t = new ImageUseTracker(trackerFile(home), { clock, logger: memoryLogger() });
    const a = t.beginUse('docker.io/library/app:1');
    const b = t.beginUse('app:1');
    expect(t.inFlightRefs()).toEqual(['app:1']);
    a();
    a();
    expect(t.inFlightRefs()).toEqual(['app:1']);
    b();
    expect(t.inFlightRefs()).toEqual([]);
  });
});
