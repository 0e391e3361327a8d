/**
 * The CLI with its real management client against a fake management API on a unix socket:
 * the HTTP shapes, api-version, error mapping, log demultiplexing, and Ctrl-C on `logs -f`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { captureCli } from '../../helpers/cli';
import { bundleCli } from './cli-bundle';
import { dockerFrame as frame } from '../../helpers/docker-frame';
import { moduleDetails, startFakeServer, type FakeServer } from '../../helpers/fake-management-server';

const NOW = Date.UTC(2026, 0, 31, 12, 0, 0);
const iso = (msAgo: number) => new Date(NOW - msAgo).toISOString();

let dir: string;
let server: FakeServer;
let host: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'iotedge-cli-'));
  server = await startFakeServer(path.join(dir, 'mgmt.sock'));
  host = `unix://${server.socketPath}`;
});

afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  server.requests.length = 0;
  server.modules.clear();
  server.logChunks.clear();
  server.failWith = undefined;
});

const cli = (argv: string[], env: NodeJS.ProcessEnv = { IOTEDGE_HOST: host }) => captureCli(argv, { env, now: () => NOW });

test('list: upstream table from GET /modules?api-version=2022-08-03', async () => {
  server.modules.set('tempSensor', moduleDetails('tempSensor', 'edge-test/sensor:1', 'running', { startTime: iso(11_000) }));
  server.modules.set('edgeHub', moduleDetails('edgeHub', 'edge-test/hub:1', 'failed', { exitTime: iso(7200_000), exitCode: 1 }));
  server.modules.set('crashy', moduleDetails('crashy', 'edge-test/crashy:1', 'backoff', { exitTime: iso(4_000), exitCode: 2 }));
  server.modules.set('old', moduleDetails('old', 'edge-test/old:1', 'stopped', { exitTime: iso(300_000) }));
  const r = await cli(['list']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  // DESCRIPTION is as wide as "Backoff (2) 4 seconds ago" (25) plus the padding of 2.
  expect(r.stdout).toBe(
    [
      'NAME             STATUS           DESCRIPTION                Config',
      'crashy           backoff          Backoff (2) 4 seconds ago  edge-test/crashy:1',
      'edgeHub          failed           Failed (1) 2 hours ago     edge-test/hub:1',
      'old              stopped          Stopped 5 minutes ago      edge-test/old:1',
      'tempSensor       running          Up 11 seconds              edge-test/sensor:1',
      '',
    ].join('\n'),
  );
  expect(server.requests).toEqual([{ method: 'GET', url: '/modules?api-version=2022-08-03' }]);
});

test('-H wins over IOTEDGE_HOST', async () => {
  const r = await cli(['-H', host, 'list'], { IOTEDGE_HOST: 'unix:///nonexistent.sock' });
  expect(r.code).toBe(0);
  expect(r.stdout).toBe('NAME             STATUS           DESCRIPTION      Config\n');
});

test('restart: POST /modules/{name}/restart, prints the name', async () => {
  server.modules.set('tempSensor', moduleDetails('tempSensor', 'img', 'running'));
  const r = await cli(['restart', 'tempSensor']);
  expect(r).toEqual({ code: 0, stdout: 'tempSensor\n', stderr: '' });
  expect(server.requests).toEqual([{ method: 'POST', url: '/modules/tempSensor/restart?api-version=2022-08-03' }]);
});

test('unknown module: one line naming it, exit 3', async () => {
  for (const argv of [['restart', 'nope'], ['logs', 'nope']]) {
    const r = await cli(argv);
    expect(r).toEqual({ code: 3, stdout: '', stderr: "module 'nope' not found. Run `iotedge list` to see the modules\n" });
  }
});

test('logs: query as upstream, frames split across reads, stdout and stderr apart', async () => {
  server.modules.set('m', moduleDetails('m', 'img', 'running'));
  const all = Buffer.concat([frame(1, 'Roses are red\n'), frame(2, 'violets are blue\n'), frame(1, 'sugar is sweet\n')]);
  server.logChunks.set('m', [all.subarray(0, 5), all.subarray(5, 9), all.subarray(9, 30), all.subarray(30)]);
  const r = await cli(['logs', 'm', '--tail', '5', '--since', '2019-09-27T16:00:00Z', '--until', '1 hour', '--timestamps']);
  expect(r).toEqual({ code: 0, stdout: 'Roses are red\nsugar is sweet\n', stderr: 'violets are blue\n' });
  const url = new URL(server.requests[0].url, 'http://x');
  expect(url.pathname).toBe('/modules/m/logs');
  expect(Object.fromEntries(url.searchParams)).toEqual({
    'api-version': '2022-08-03',
    follow: 'false',
    tail: '5',
    timestamps: 'true',
    since: '1569600000',
    until: String(NOW / 1000 - 3600),
  });
});

test('daemon not reachable: one line naming the socket and what to check, exit 4', async () => {
  const missing = path.join(dir, 'missing.sock');
  let r = await cli(['-H', `unix://${missing}`, 'list']);
  expect(r.code).toBe(4);
  expect(r.stderr).toBe(
    `cannot connect to the IoT Edge daemon: unix://${missing} does not exist. Is edged running? In the snap: \`snap services azure-iot-edge\`; elsewhere check the daemon, or pass -H/--host (IOTEDGE_HOST)\n`,
  );
  const notListening = path.join(dir, 'stale.sock');
  writeFileSync(notListening, '');
  r = await cli(['-H', `unix://${notListening}`, 'list']);
  expect(r.code).toBe(4);
  expect(r.stderr).toMatch(new RegExp(`^cannot connect to the IoT Edge daemon at unix://${notListening}: connection refused\\. Is edged running\\?`));
});

test('a daemon error is one line with its message', async () => {
  server.failWith = { status: 500, message: 'engine is on fire' };
  const r = await cli(['list']);
  expect(r).toEqual({ code: 1, stdout: '', stderr: 'the IoT Edge daemon answered 500: engine is on fire\n' });
});

describe('as a process', () => {
  let entry: string;

  beforeAll(() => {
    // As bin/iotedge runs the bundles: the small one first, the whole CLI for anything else.
    const bundle = path.join(dir, 'cli.js');
    const fast = path.join(dir, 'cli-fast.js');
    bundleCli(bundle);
    bundleCli(fast, undefined, 'src/cli/fast-main.ts');
    entry = path.join(dir, 'iotedge');
    writeFileSync(
      entry,
      `require(${JSON.stringify(fast)}).run(process.argv.slice(2), () => require(${JSON.stringify(bundle)}));\n`,
    );
  });

  test('list from the small bundle; errors there are the same one line', async () => {
    server.modules.set('m', moduleDetails('m', 'img', 'stopped'));
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, [entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('close', (code) => resolve({ code, out, err }));
      });
    expect(await run(['-H', host, 'list'])).toEqual({
      code: 0,
      out: 'NAME             STATUS           DESCRIPTION      Config\nm                stopped          Stopped          img\n',
      err: '',
    });
    const missing = await run(['-H', 'unix:///nonexistent/mgmt.sock', 'list']);
    expect(missing.code).toBe(4);
    expect(missing.err).toMatch(/^cannot connect to the IoT Edge daemon: unix:\/\/\/nonexistent\/mgmt.sock does not exist\. /);
  });

  test('Ctrl-C ends `logs -f` cleanly: exit 0, nothing on stderr', async () => {
    server.modules.set('m', moduleDetails('m', 'img', 'running'));
    server.logChunks.set('m', [frame(1, 'line 1\n')]);
    const child = spawn(process.execPath, [entry, '-H', host, 'logs', 'm', '-f'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('line 1\n')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stdout).toBe('line 1\n');
    expect(stderr).toBe('');
  });

  test('--help on a command shows an example', async () => {
    const child = spawn(process.execPath, [entry, 'restart', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(stdout).toContain('Examples:');
    expect(stdout).toContain('iotedge restart SimulatedTemperatureSensor');
  });
});
