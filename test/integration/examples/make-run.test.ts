/**
 * What a newcomer's `make run` does (examples/run.sh): a private dockerd, the example images built
 * locally, edged running examples/deployment.json, `iotedge list` showing both modules; running it
 * again is harmless; --stop leaves nothing running.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseDeploymentText } from '../../../src/agent/manifest/parse';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const RUN = path.join(ROOT, 'examples', 'run.sh');
const run = promisify(execFile);

let dir: string;
beforeAll(() => {
  if (!existsSync(path.join(ROOT, 'dist', 'edged', 'main.js'))) {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  }
  dir = mkdtempSync(path.join(os.tmpdir(), 'make-run-'));
});
afterAll(async () => {
  await run(RUN, ['--stop', dir]).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

it('the example deployment is valid and uses only images built locally', () => {
  const d = parseDeploymentText(readFileSync(path.join(ROOT, 'examples', 'deployment.json'), 'utf8'));
  expect(d.modules.map((m) => m.name).sort()).toEqual(['crasher', 'tempSensor']);
  for (const m of d.modules) expect(m.imagePullPolicy).toBe('never');
});

it('starts the example, lists it, survives a second run, and stops everything', async () => {
  const env = { ...process.env, RUN_POOL_OCTET: '88' };
  const first = await run(RUN, [dir], { env });
  expect(first.stdout).toMatch(/^NAME\s+STATUS\s+DESCRIPTION\s+Config$/m);
  expect(first.stdout).toMatch(/^crasher\s+\S+/m);
  expect(first.stdout).toMatch(/^tempSensor\s+running\s+Up /m);

  const again = await run(RUN, [dir], { env });
  expect(again.stdout).toContain('edged already runs');
  expect(again.stdout).toMatch(/^tempSensor\s+running/m);

  const pid = Number(readFileSync(path.join(dir, 'edged', 'edged.pid'), 'utf8'));
  await run(RUN, ['--stop', dir], { env });
  expect(() => process.kill(pid, 0)).toThrow();
  expect(existsSync(path.join(dir, 'docker', 'docker.sock'))).toBe(false);
  expect(existsSync(path.join(dir, 'edged', 'mgmt.sock'))).toBe(false);
}, 120_000);
