/**
 * Image GC wired into edged: a module created and deleted over the management API is tracked by
 * edged's own runtime, and `iotedge system prune-images` (through the real management socket)
 * removes its image once unused for the threshold (here 0s), leaving foreign images alone.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { CliContext } from '../../../src/cli/command';
import { run as pruneImages } from '../../../src/cli/commands/prune-images';
import { ManagementClient } from '../../../src/api/management/client/management-client';
import { startEdged, type EdgedUnderTest } from '../../helpers/edged';
import { unixRequest } from '../../contract/helpers/unix-client';
import { imageMaker } from './fixtures';

let edged: EdgedUnderTest;

beforeAll(async () => {
  edged = await startEdged({ prefix: 'gc-edged-', listen: true, toml: '[image_garbage_collection]\nimage_age_cleanup_threshold = "0s"\n' });
}, 120_000);

afterAll(async () => {
  await edged?.stop();
});

const call = (method: string, p: string, body?: unknown) => unixRequest(edged.mgmt, method, `${p}?api-version=2022-08-03`, body);

async function prune(dryRun: boolean): Promise<string> {
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (c) => (text += c));
  await pruneImages({ dryRun }, { host: edged.host, stdout, signal: new AbortController().signal } as unknown as CliContext);
  return text;
}

it('removes the image of a deleted module through prune-images, and only that one', async () => {
  const maker = await imageMaker(edged.engine.docker, { runnable: true });
  const id = await maker.make('gc-edged/sensor:1');
  const created = await call('POST', '/modules', {
    name: 'sensor',
    type: 'docker',
    imagePullPolicy: 'Never',
    config: { settings: { image: 'gc-edged/sensor:1', createOptions: { Cmd: ['true'] } }, env: [] },
  });
  expect(created.status).toBe(201);
  expect(JSON.parse(readFileSync(path.join(edged.home, 'gc', 'images.json'), 'utf8')).images[id]).toBeDefined();

  expect(await prune(true)).toMatch(/^Would remove 0 image\(s\) and free 0 B\. Kept 1 edge image\(s\) \(in-use 1\)/);

  expect((await call('DELETE', '/modules/sensor')).status).toBe(204);
  const dry = await prune(true);
  expect(dry).toContain('would remove  gc-edged/sensor:1');
  expect((await edged.engine.docker.getImage(id).inspect()).Id).toBe(id);

  const out = await prune(false);
  expect(out).toContain('removed  gc-edged/sensor:1');
  expect(out).toMatch(/Removed 1 image\(s\), freed [\d.]+ [kM]B\./);
  await expect(edged.engine.docker.getImage(id).inspect()).rejects.toMatchObject({ statusCode: 404 });
  expect((await edged.engine.docker.getImage('edge-test/busybox:1').inspect()).Id).toBeDefined();

  const status = await new ManagementClient(edged.host).imageGcStatus();
  expect(status.enabled).toBe(true);
  expect(status.nextRunAt).toBeDefined();
  expect(status.lastRun?.removed.map((r) => r.tags[0])).toEqual(['gc-edged/sensor:1']);
  expect(existsSync(path.join(edged.home, 'gc', 'last-run.json'))).toBe(true);
  expect(edged.log.join('\n')).toContain('image garbage collection removed 1 image(s)');
});
