/**
 * Image GC wired into edged: a module created and deleted over the management API is tracked by
 * edged's own runtime, and `iotedge system prune-images` (through the real management socket)
 * removes its image once unused for the threshold (here 0s), leaving foreign images alone.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliContext } from '../../../src/cli/command';
import { run as pruneImages } from '../../../src/cli/commands/prune-images';
import { run } from '../../../src/edged/main';
import { imageGcClient } from '../../../src/gc/client';
import { startTestEngine, type TestEngine } from '../../helpers/engine';
import { unixRequest } from '../../contract/helpers/unix-client';
import { imageMaker } from './fixtures';

let engine: TestEngine;
let dir: string;
let mgmt: string;
const signals = new EventEmitter();
const stderr: string[] = [];
let exitCode: Promise<number>;

beforeAll(async () => {
  engine = await startTestEngine();
  dir = mkdtempSync(path.join(os.tmpdir(), 'gc-edged-'));
  mgmt = path.join(dir, 'run', 'mgmt.sock');
  writeFileSync(
    path.join(dir, 'config.toml'),
    [
      '[moby_runtime]',
      `uri = "${engine.host}"`,
      '',
      '[listen]',
      `management_uri = "unix://${mgmt}"`,
      `workload_uri = "unix://${path.join(dir, 'run', 'workload.sock')}"`,
      '',
      '[image_garbage_collection]',
      'image_age_cleanup_threshold = "0s"',
      '',
    ].join('\n'),
  );
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  exitCode = run(['--config', path.join(dir, 'config.toml'), '--home', path.join(dir, 'home')], {
    stderr: (l) => stderr.push(l),
    onSignal: (h) => {
      signals.on('signal', h);
      return () => signals.off('signal', h);
    },
    exit: () => undefined,
    onReady: ready,
  });
  await Promise.race([isReady, exitCode.then((c) => Promise.reject(new Error(`edged exited ${c}: ${stderr.join('\n')}`)))]);
}, 120_000);

afterAll(async () => {
  signals.emit('signal', 'SIGTERM');
  await exitCode?.catch(() => undefined);
  await engine?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, p: string, body?: unknown) => unixRequest(mgmt, method, `${p}?api-version=2022-08-03`, body);

async function prune(dryRun: boolean): Promise<string> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (c) => (text += c));
  await pruneImages({ dryRun }, { host: `unix://${mgmt}`, stdout, signal: new AbortController().signal } as unknown as CliContext);
  return text;
}

it('removes the image of a deleted module through prune-images, and only that one', async () => {
  const maker = await imageMaker(engine.docker, { runnable: true });
  const id = await maker.make('gc-edged/sensor:1');
  const created = await call('POST', '/modules', {
    name: 'sensor',
    type: 'docker',
    imagePullPolicy: 'Never',
    config: { settings: { image: 'gc-edged/sensor:1', createOptions: { Cmd: ['true'] } }, env: [] },
  });
  expect(created.status).toBe(201);
  expect(JSON.parse(readFileSync(path.join(dir, 'home', 'gc', 'images.json'), 'utf8')).images[id]).toBeDefined();

  expect(await prune(true)).toMatch(/^Would remove 0 image\(s\) and free 0 B\. Kept 1 edge image\(s\) \(in-use 1\)/);

  expect((await call('DELETE', '/modules/sensor')).status).toBe(204);
  const dry = await prune(true);
  expect(dry).toContain('would remove  gc-edged/sensor:1');
  expect((await engine.docker.getImage(id).inspect()).Id).toBe(id);

  const out = await prune(false);
  expect(out).toContain('removed  gc-edged/sensor:1');
  expect(out).toMatch(/Removed 1 image\(s\), freed [\d.]+ [kM]B\./);
  await expect(engine.docker.getImage(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  expect((await engine.docker.getImage('edge-test/busybox:1').inspect()).Id).toBeDefined();

  const status = await imageGcClient(`unix://${mgmt}`).status();
  expect(status.enabled).toBe(true);
  expect(status.nextRunAt).toBeDefined();
  expect(status.lastRun?.removed.map((r) => r.tags[0])).toEqual(['gc-edged/sensor:1']);
  expect(existsSync(path.join(dir, 'home', 'gc', 'last-run.json'))).toBe(true);
  expect(stderr.join('\n')).toContain('image garbage collection removed 1 image(s)');
});
