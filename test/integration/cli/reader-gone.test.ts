/**
 * `iotedge ... | head`: when the reader closes the pipe, the CLI ends quietly with 0 instead of
 * crashing with an unhandled EPIPE and a stack trace.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleCli } from './cli-bundle';

let dir: string;
let bundle: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cli-epipe-'));
  bundle = path.join(dir, 'iotedge.js');
  bundleCli(bundle);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('ends quietly with 0 when stdout is closed by the reader', async () => {
  // `system status` on a development machine prints its lines through the command's stdout (no
  // daemon needed), after the reader is gone.
  const script = `setTimeout(() => require(${JSON.stringify(bundle)}).run(['system', 'status']), 200)`;
  const env: NodeJS.ProcessEnv = { ...process.env, IOTEDGE_HOST: `unix://${dir}/none.sock`, IOTEDGE_EDGED_HOME: dir };
  delete env.SNAP_COMMON;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.destroy();
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(stderr).not.toMatch(/EPIPE|Unhandled/);
  expect(code).toBe(0);
});
