/**
 * edged's entry point without a Docker engine: exit codes, the one-line error, retrying an
 * unreachable engine on an injected clock, and a real SIGTERM to a bundled edged process.
 */
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { run } from '../../../src/edged/main';
import { FakeClock } from '../../../src/util/clock';
import { unixRequest } from '../../contract/helpers/unix-client';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'edged-main-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function config(extra = ''): string {
  const file = path.join(dir, 'config.toml');
  writeFileSync(
    file,
    `[moby_runtime]\nuri = "unix://${dir}/no-docker.sock"\n\n[listen]\nmanagement_uri = "unix://${dir}/mgmt.sock"\nworkload_uri = "unix://${dir}/workload.sock"\n${extra}`,
  );
  return file;
}

function harness(clock = new FakeClock()) {
  const signals = new EventEmitter();
  const stderr: string[] = [];
  const waiters: { test: (l: string) => boolean; resolve: () => void }[] = [];
  return {
    signals,
    stderr,
    clock,
    io: {
      stderr: (l: string) => {
        stderr.push(l);
        for (const w of waiters.filter((w) => w.test(l))) w.resolve();
      },
      stdout: () => undefined,
      onSignal: (h: (s: string) => void) => {
        signals.on('signal', h);
        return () => signals.off('signal', h);
      },
      exit: () => undefined,
      clock,
      env: {},
    },
    /** Resolves when a log line matching `re` has been written (now or later). */
    line: (re: RegExp, nth = 1) =>
      new Promise<void>((resolve) => {
        let seen = stderr.filter((l) => re.test(l)).length;
        if (seen >= nth) return resolve();
        waiters.push({ test: (l) => re.test(l) && ++seen >= nth, resolve });
      }),
  };
}

it('exits 153 with one line naming the file when the configuration is not valid TOML', async () => {
  const file = path.join(dir, 'config.toml');
  writeFileSync(file, '[moby_runtime\nuri = 1\n');
  const h = harness();
  const code = await run(['--config', file, '--home', path.join(dir, 'home')], h.io);
  expect(code).toBe(153);
  expect(h.stderr).toHaveLength(1);
  expect(h.stderr[0]).toContain(file);
});

it('exits 153 when the management URI is not a unix socket', async () => {
  const file = path.join(dir, 'config.toml');
  writeFileSync(file, `[moby_runtime]\nuri = "unix://${dir}/d.sock"\n[listen]\nmanagement_uri = "http://127.0.0.1:1"\nworkload_uri = "unix://${dir}/w.sock"\n`);
  const h = harness();
  expect(await run(['--config', file, '--home', path.join(dir, 'home')], h.io)).toBe(153);
  expect(h.stderr[h.stderr.length - 1]).toMatch(/http:\/\/127\.0\.0\.1:1/);
});

it('exits 2 with the usage when an argument is missing or unknown', async () => {
  const h = harness();
  expect(await run(['--config', 'x'], h.io)).toBe(2);
  expect(h.stderr[0]).toMatch(/--home is required\. usage: edged --config FILE --home DIR/);
  expect(await run(['--bogus'], h.io)).toBe(2);
});

it('exits 4 (unavailable) when another process serves the management socket', async () => {
  const busy = net.createServer().listen(path.join(dir, 'mgmt.sock'));
  await new Promise((r) => busy.once('listening', r));
  try {
    const h = harness();
    expect(await run(['--config', config(), '--home', path.join(dir, 'home')], h.io)).toBe(4);
    expect(h.stderr[h.stderr.length - 1]).toMatch(/mgmt\.sock is in use by another process/);
  } finally {
    busy.close();
  }
});

it('keeps retrying an unreachable engine with backoff, serving 503s, until SIGTERM', async () => {
  const h = harness();
  const exit = run(['--config', config(), '--home', path.join(dir, 'home')], h.io);
  await h.line(/not reachable .* retrying in 1 s/);
  await h.clock.advance(1000);
  await h.line(/not reachable .* retrying in 2 s/);
  await h.clock.advance(2000);
  await h.line(/not reachable .* retrying in 4 s/);

  const res = await unixRequest(path.join(dir, 'mgmt.sock'), 'GET', '/modules?api-version=2022-08-03');
  expect(res.status).toBe(503);
  expect((res.json as { message: string }).message).toMatch(/Docker engine not reachable/);

  h.signals.emit('signal', 'SIGTERM');
  expect(await exit).toBe(0);
  expect(existsSync(path.join(dir, 'mgmt.sock'))).toBe(false);
  expect(h.stderr.some((l) => l.includes('edged ready'))).toBe(false);
});

it('as a process: a real SIGTERM ends it with 0 and removes the socket', async () => {
  const bundle = path.join(dir, 'edged.js');
  buildSync({
    entryPoints: [path.resolve(__dirname, '../../../src/edged/main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: bundle,
    external: ['cpu-features', 'ssh2'],
    logLevel: 'error',
  });
  // The same shim as bin/edged, around the bundle instead of dist/.
  const shim = path.join(dir, 'edged');
  writeFileSync(shim, `require(${JSON.stringify(bundle)}).run(process.argv.slice(2));\n`);
  const child = spawn(process.execPath, [shim, '--config', config(), '--home', path.join(dir, 'home')], {
    stdio: ['ignore', 'ignore', 'pipe'],
    // docker-modem's optional ssh2 stays outside the bundle; it resolves from the repository.
    env: { ...process.env, NODE_PATH: path.resolve(__dirname, '../../../node_modules') },
  });
  let err = '';
  const listening = new Promise<void>((resolve) =>
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('management API listening')) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await Promise.race([listening, exited.then(() => Promise.reject(new Error(err)))]);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(existsSync(path.join(dir, 'mgmt.sock'))).toBe(false);
  expect(err).toMatch(/SIGTERM received: stopping/);
});
