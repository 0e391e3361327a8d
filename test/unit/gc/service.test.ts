import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { RunOptions } from '../../../src/gc/collector';
import type { GcReport } from '../../../src/api/management/wire';
import { ImageGcService, lastRunFile } from '../../../src/gc/service';
import { parseGcSettings, type GcSettings } from '../../../src/config/image-gc';
import { ImageUseTracker, trackerFile } from '../../../src/gc/tracker';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

class FakeCollector {
  calls: RunOptions[] = [];
  constructor(private readonly clock: FakeClock) {}
  async run(options: RunOptions = {}): Promise<GcReport> {
    this.calls.push(options);
    const at = new Date(this.clock.now()).toISOString();
    return {
      trigger: options.trigger ?? 'manual',
      dryRun: options.dryRun ?? false,
      startedAt: at,
      finishedAt: at,
      removed: [{ id: 'sha256:aa', tags: ['a:1'], size: 10 }],
      skipped: [],
      kept: [],
      foreignImages: 0,
      bytesFreed: 10,
    };
  }
}

describe('ImageGcService', () => {
  let home: string;
  let clock: FakeClock;
  let collector: FakeCollector;
  let reports: GcReport[];
  let nextReport: () => Promise<GcReport>;
  const make = (settings: GcSettings) => {
    const logger = memoryLogger();
    let waiting: ((r: GcReport) => void) | undefined;
    reports = [];
    nextReport = () => new Promise((r) => (waiting = r));
    return new ImageGcService({
      collector,
      tracker: new ImageUseTracker(trackerFile(home), { clock, logger }),
      settings,
      clock,
      logger,
      home,
      utcOffset: () => 0,
      onReport: (r) => {
        reports.push(r);
        waiting?.(r);
      },
    });
  };

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'gc-service-'));
    clock = new FakeClock(Date.parse('2026-06-01T23:57:00Z'));
    collector = new FakeCollector(clock);
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('waits out the startup delay, runs at cleanup time, then every recurrence; stop ends the loop', async () => {
    const service = make(parseGcSettings({ cleanup_time: '00:00', cleanup_recurrence: '2d' }));
    await service.start();
    await clock.advance(0);
    // 00:00 on June 2 is within 5 minutes of the start: the first run is June 3.
    expect((await service.status()).nextRunAt).toBe('2026-06-03T00:00:00.000Z');
    await clock.advance(DAY);
    expect(collector.calls).toEqual([]);
    let done = nextReport();
    await clock.advance(DAY);
    await done;
    expect(collector.calls).toEqual([{ trigger: 'schedule' }]);
    expect((await service.status()).nextRunAt).toBe('2026-06-05T00:00:00.000Z');
    done = nextReport();
    await clock.advance(2 * DAY);
    await done;
    expect(collector.calls.length).toBe(2);
    await service.stop();
    expect(clock.pending).toBe(0);
  });

  it('keeps the last run in status and on disk across a restart; dry runs are not saved', async () => {
    const service = make(parseGcSettings({}));
    await service.start();
    const report = await service.run();
    await service.run({ dryRun: true });
    expect(collector.calls).toEqual([
      { dryRun: false, trigger: 'manual' },
      { dryRun: true, trigger: 'manual' },
    ]);
    expect(JSON.parse(readFileSync(lastRunFile(home), 'utf8'))).toEqual(report);
    await service.stop();

    const restarted = make(parseGcSettings({}));
    await restarted.start();
    const status = await restarted.status();
    expect(status.lastRun).toEqual(report);
    expect(status.settings).toEqual({
      cleanup_recurrence: '1d',
      image_age_cleanup_threshold: '7d',
      cleanup_time: '00:00',
      startup_delay: '5m',
    });
    expect(restarted.lastRun()).toEqual(report);
    expect(restarted.reportedState()).toEqual({
      imageGarbageCollection: {
        enabled: true,
        nextRunAt: status.nextRunAt,
        lastRun: { at: report.finishedAt, removedImages: ['a:1'], bytesFreed: 10, skipped: 0 },
      },
    });
    await restarted.stop();
  });

  it('schedules nothing when disabled, but runs on request', async () => {
    const service = make(parseGcSettings({ enabled: false }));
    await service.start();
    expect(clock.pending).toBe(0);
    expect((await service.status()).nextRunAt).toBeUndefined();
    await service.run();
    expect(collector.calls.length).toBe(1);
    await service.stop();
  });
});
