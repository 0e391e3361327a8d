/**
 * A component that cannot go on (the edgeAgent watchdog out of retries) makes edged stop and exit
 * non-zero, as upstream exits, so its supervisor starts it afresh.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../../src/edged/main';
import { systemClock } from '../../../src/util/clock';
import { startTestEngine, TestEngine } from '../../helpers/engine';

let engine: TestEngine;
let dir: string;
beforeAll(async () => {
  engine = await startTestEngine({ images: [] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'edged-fatal-'));
});
afterAll(async () => {
  await engine?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('stops, removes its sockets and exits 1 with one line when a component reports a fatal error', async () => {
  const file = path.join(dir, 'config.toml');
  const mgmt = path.join(dir, 'mgmt.sock');
  writeFileSync(file, `[moby_runtime]\nuri = "${engine.host}"\n[listen]\nmanagement_uri = "unix://${mgmt}"\nworkload_uri = "unix://${dir}/workload.sock"\n`);
  const stderr: string[] = [];
  const signals = new EventEmitter();
  const code = await run(['--config', file, '--home', path.join(dir, 'home')], {
    stderr: (l: string) => stderr.push(l),
    stdout: () => undefined,
    onSignal: (h: (s: string) => void) => {
      signals.on('signal', h);
      return () => signals.off('signal', h);
    },
    exit: () => undefined,
    clock: systemClock,
    env: {},
    onReady: (edged) => {
      expect(existsSync(mgmt)).toBe(true);
      edged.ctx!.fatal(new Error('Watchdog error count has exceeded allowed retries (2)'));
    },
  });
  expect(code).toBe(1);
  expect(stderr[stderr.length - 1]).toContain('exceeded allowed retries');
  expect(existsSync(mgmt)).toBe(false);
});

it('treats an error nothing caught outside any request as fatal: stops cleanly and exits 1 with the line', async () => {
  const file = path.join(dir, 'config-uncaught.toml');
  const mgmt = path.join(dir, 'mgmt-uncaught.sock');
  writeFileSync(file, `[moby_runtime]\nuri = "${engine.host}"\n[listen]\nmanagement_uri = "unix://${mgmt}"\nworkload_uri = "unix://${dir}/workload-uncaught.sock"\n`);
  const stderr: string[] = [];
  let uncaught: ((e: unknown) => void) | undefined;
  let unsubscribed = false;
  const code = await run(['--config', file, '--home', path.join(dir, 'home-uncaught')], {
    stderr: (l: string) => stderr.push(l),
    stdout: () => undefined,
    onSignal: () => () => undefined,
    onUncaught: (h) => {
      uncaught = h;
      return () => (unsubscribed = true);
    },
    exit: () => undefined,
    clock: systemClock,
    env: {},
    onReady: () => uncaught!(new Error('late callback threw')),
  });
  expect(code).toBe(1);
  expect(stderr.some((l) => l.includes('an error nothing caught: late callback threw'))).toBe(true);
  expect(existsSync(mgmt)).toBe(false);
  expect(unsubscribed).toBe(true);
});
