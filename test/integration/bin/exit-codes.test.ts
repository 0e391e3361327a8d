/**
 * Every entry point in bin/ (the shims as they are, around a bundle laid out as dist/) exits with
 * the code exitCodeOf gives its typed error, and says so in one line on stderr: no stack, and no
 * secret of the input.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { ExitCode } from '../../../src/errors';

const root = path.resolve(__dirname, '../../..');
const SECRET = Buffer.from('not-a-real-key-but-a-secret-one!').toString('base64');
const POLICY_CS = `HostName=hub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${SECRET}`;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'entry-points-'));
  buildSync({
    entryPoints: ['edged/main', 'cli/main', 'snap/hook-main', 'snap/provisioning-main', 'supervisor/main', 'images/cli/main', 'images/service/main'].map(
      (e) => path.join(root, 'src', `${e}.ts`),
    ),
    outbase: path.join(root, 'src'),
    outdir: path.join(dir, 'dist'),
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
  });
  cpSync(path.join(root, 'bin'), path.join(dir, 'bin'), { recursive: true });
  mkdirSync(path.join(dir, 'snap'));
  mkdirSync(path.join(dir, 'common'));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(bin: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(dir, 'bin', bin), ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    // The bundle leaves packages outside; they resolve from the repository.
    env: { PATH: process.env.PATH ?? '', NODE_PATH: path.join(root, 'node_modules'), ...env },
  });
  return { code: r.status, lines: r.stderr.split('\n').filter((l) => l.trim() !== '') };
}

function file(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text, { mode: 0o600 });
  return f;
}

const snapEnv = () => ({ SNAP: path.join(dir, 'snap'), SNAP_COMMON: path.join(dir, 'common') });

const cases: [name: string, call: () => ReturnType<typeof run>, code: number, says: RegExp][] = [
  [
    'edged: a policy connection string is a bad configuration',
    () => run('edged', ['--config', file('config.toml', `[provisioning]\nsource = "manual"\nconnection_string = "${POLICY_CS}"\n`), '--home', path.join(dir, 'home')]),
    ExitCode.badConfig,
    /policy connection string/,
  ],
  ['iotedge: edged does not answer', () => run('iotedge', ['list'], { IOTEDGE_HOST: `unix://${dir}/none.sock` }), ExitCode.unavailable, /none\.sock/],
  ['snap-hook: an unknown hook is a usage error', () => run('snap-hook', ['bogus'], snapEnv()), ExitCode.usage, /unknown hook "bogus"/],
  ['snap-service: an unknown service is a usage error', () => run('snap-service', ['bogus'], snapEnv()), ExitCode.usage, /unknown service "bogus"/],
  [
    'azure-iot-edge-image: a policy connection string is bad input',
    () => run('azure-iot-edge-image', ['customize', '--base', path.join(dir, 'none.img'), '--connection-string-file', file('cs.txt', POLICY_CS), '-o', path.join(dir, 'o.img.xz')]),
    ExitCode.usage,
    /policy connection string/,
  ],
  [
    'image-service: a short token is a usage error',
    () => run('image-service', ['--data-dir', path.join(dir, 'images'), '--token-file', file('token', 'short-secret')]),
    ExitCode.usage,
    /at least 16 characters/,
  ],
];

it.each(cases)('%s', (_name, call, code, says) => {
  const r = call();
  expect({ code: r.code, lines: r.lines }).toEqual({ code, lines: [expect.stringMatching(says)] });
  const line = r.lines[0];
  expect(line).not.toMatch(/\n|^\s+at |\.ts:\d+/);
  expect(line).not.toContain(SECRET);
  expect(line).not.toContain('short-secret');
});
