/** `iotedge system prune-images` and `GET /images/gc` through the real HTTP layer on a unix socket. */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { HttpApi, listenUnix, type UnixListener } from '../../../src/api/http';
import { imageGcRoutes } from '../../../src/api/management/image-gc';
import { MANAGEMENT_API_VERSIONS } from '../../../src/api/management/versions';
import type { CliContext } from '../../../src/cli/command';
import { run as pruneImages } from '../../../src/cli/commands/prune-images';
import { formatError } from '../../../src/errors';
import { ManagementClient } from '../../../src/api/management/client/management-client';
import { formatGcStatus } from '../../../src/gc/report-text';
import type { GcReport, GcStatus } from '../../../src/api/management/wire';
import type { ImageGcHandle } from '../../../src/gc/service';
import { memoryLogger } from '../../../src/util/log';

const report = (dryRun: boolean): GcReport => ({
  trigger: 'manual',
  dryRun,
  startedAt: '2026-06-01T00:00:00.000Z',
  finishedAt: '2026-06-01T00:00:01.000Z',
  removed: [{ id: `sha256:${'ab'.repeat(32)}`, tags: ['app:1'], size: 5 * 1024 * 1024, lastUsed: '2026-05-01T00:00:00.000Z' }],
  skipped: [{ id: `sha256:${'cd'.repeat(32)}`, tags: ['app:2'], size: 10, reason: 'in-use', detail: 'image is being used by stopped container' }],
  kept: [
    { id: 'sha256:1', tags: ['agent:1'], size: 1, reason: 'edge-agent' },
    { id: 'sha256:2', tags: ['hub:1'], size: 1, reason: 'in-use' },
  ],
  foreignImages: 3,
  bytesFreed: 5 * 1024 * 1024,
});

const status: GcStatus = {
  enabled: true,
  settings: { cleanup_recurrence: '1d', image_age_cleanup_threshold: '7d', cleanup_time: '00:00', startup_delay: '5m' },
  trackedImages: 4,
  running: false,
  nextRunAt: '2026-06-02T00:00:00.000Z',
  lastRun: report(false),
};

describe('prune-images over the management API', () => {
  let dir: string;
  let listener: UnixListener;
  let handle: ImageGcHandle | undefined;
  const runs: { dryRun?: boolean }[] = [];
  let host: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gc-api-'));
    const api = new HttpApi(
      { name: 'management', versions: MANAGEMENT_API_VERSIONS, routes: imageGcRoutes(() => handle) },
      memoryLogger(),
    );
    host = `unix://${path.join(dir, 'mgmt.sock')}`;
    listener = await listenUnix(api, host, { mode: 0o660 });
  });
  afterAll(async () => {
    await listener?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    runs.length = 0;
    handle = {
      tracker: undefined as never,
      run: async (o = {}) => {
        runs.push(o);
        return report(o.dryRun ?? false);
      },
      status: async () => status,
      lastRun: () => undefined,
      reportedState: () => ({ imageGarbageCollection: { enabled: true } }),
    };
  });

  const cli = () => {
    const stdout = new PassThrough();
    let text = '';
    stdout.on('data', (c) => (text += c));
    const ctx = { host, stdout, signal: new AbortController().signal } as unknown as CliContext;
    return { ctx, out: () => text };
  };

  it('--dry-run asks for a dry run and prints what would go and the space it would free', async () => {
    const { ctx, out } = cli();
    await pruneImages({ dryRun: true }, ctx);
    expect(runs).toEqual([{ dryRun: true }]);
    expect(out()).toBe(
      [
        `would remove  app:1  ${'ab'.repeat(6)}  5.0 MB  last used 2026-05-01T00:00:00.000Z`,
        `kept  app:2  ${'cd'.repeat(6)}  (in-use: image is being used by stopped container)`,
        'Would remove 1 image(s) and free 5.0 MB. Kept 2 edge image(s) (edge-agent 1, in-use 1); 3 other image(s) left alone.',
        '',
      ].join('\n'),
    );
  });

  it('without --dry-run runs the collection and prints what it removed', async () => {
    const { ctx, out } = cli();
    await pruneImages({}, ctx);
    expect(runs).toEqual([{ dryRun: false }]);
    expect(out()).toContain('removed  app:1');
    expect(out()).toContain('Removed 1 image(s), freed 5.0 MB.');
  });

  it('serves the status for `iotedge system status`', async () => {
    const s = await new ManagementClient(host).imageGcStatus();
    expect(s).toEqual(status);
    expect(formatGcStatus(s)).toEqual([
      'Image garbage collection: enabled (every 1d at 00:00, images unused for 7d; 4 tracked image(s))',
      '  next run: 2026-06-02T00:00:00.000Z',
      '  last run: 2026-06-01T00:00:01.000Z, removed 1 image(s), freed 5.0 MB',
    ]);
  });

  it('says clearly when the collector is not running, and rejects a bad dryRun', async () => {
    handle = undefined;
    const { ctx } = cli();
    const e = await pruneImages({}, ctx).catch((x) => x);
    expect(formatError(e)).toContain('image garbage collection is not running in this edged');
    handle = { ...({} as ImageGcHandle), run: async () => report(false) };
    const bad = await fetchStatus(`/images/prune?api-version=2022-08-03&dryRun=maybe`);
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('dryRun must be true or false');
  });

  async function fetchStatus(p: string): Promise<{ status: number; body: string }> {
    const http = await import('node:http');
    return new Promise((resolve, reject) => {
      const req = http.request({ socketPath: path.join(dir, 'mgmt.sock'), path: p, method: 'POST' }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }
});
