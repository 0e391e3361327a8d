import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { ConfigError } from '../../../src/errors';
import { parseGcSettings } from '../../../src/config/image-gc';
import { parseSuperConfig } from '../../../src/config/load';
import { imageGcComponent, type GcContext } from '../../../src/edged/image-gc-component';
import { ImageTrackingRuntime } from '../../../src/gc/tracking-runtime';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';
import { FakeRuntime } from '../../helpers/fake-runtime';
import { FakeImageStore, idOf } from '../../helpers/fake-image-store';

describe('imageGcComponent', () => {
  let home: string;
  let ctx: GcContext;
  let clock: FakeClock;

  beforeEach(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'gc-component-'));
    clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
    ctx = {
      config: {
        agent: { name: 'edgeAgent', type: 'docker', imagePullPolicy: 'on-create', config: { image: 'agent:1', createOptions: {} }, env: {} },
        image_garbage_collection: parseGcSettings({}),
      },
      home,
      logger: memoryLogger(),
      clock,
      docker: {} as Docker,
      deploymentLock: new Mutex(),
    };
  });
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('puts its tracking over the runtime below and keeps what the deployment wants; start schedules, stop ends', async () => {
    const store = new FakeImageStore();
    store.add(1, ['app:1']);
    store.add(2, ['agent:1']);
    const c = imageGcComponent(ctx, new FakeRuntime(clock), { images: store, desiredImages: () => ['app:1'] });
    expect(c.runtime).toBeInstanceOf(ImageTrackingRuntime);
    await c.start();
    expect(clock.pending).toBe(1);
    expect((await c.service.status()).nextRunAt).toBeDefined();

    await c.runtime.tracker.recordUse('app:1', idOf(1), 0);
    await c.runtime.tracker.recordUse('agent:1', idOf(2), 0);
    const report = await c.service.run({ dryRun: true });
    expect(report.removed).toEqual([]);
    expect(report.kept.map((k) => k.reason).sort()).toEqual(['desired', 'edge-agent']);
    await c.stop();
    expect(clock.pending).toBe(0);
  });

  it('gets its settings parsed: bad ones never reach it, the config refuses them (edged exits 153)', () => {
    expect(() => parseSuperConfig('[image_garbage_collection]\ncleanup_recurrence = "12h"\n', { home })).toThrow(ConfigError);
  });
});
