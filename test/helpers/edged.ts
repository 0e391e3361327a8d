/**
 * edged in-process (main.run, as bin/edged calls it) on a private real dockerd, for integration
 * suites that talk to it over its real sockets. Start it in beforeAll, stop it in afterAll.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { run } from '../../src/edged/main';
import { startTestEngine, type TestEngine } from './engine';
import { until as untilShared } from './until';

export interface EdgedOptions {
  /** Prefix of the temporary directory holding config.toml and home/. */
  prefix: string;
  /** `[moby_runtime] network`; none leaves edged's default. */
  network?: string;
  /** Sockets under <dir>/run through `[listen]`; else edged's defaults under home/. */
  listen?: boolean;
  /** More config.toml, appended as written. */
  toml?: string;
  /** Top-level config.toml keys (before any table), e.g. `allow_elevated_docker_permissions = false`. */
  preamble?: string;
  /** More edged arguments, e.g. ['--log-level', 'debug']. */
  args?: string[];
}

export interface EdgedUnderTest {
  engine: TestEngine;
  dir: string;
  home: string;
  /** Management socket path, and the same as a -H host (unix://...). */
  mgmt: string;
  host: string;
  workload: string;
  /** Everything edged wrote (stderr and stdout), a line an entry. */
  log: string[];
  /** edged's exit code, once it exits. */
  exit: Promise<number>;
  /** Delivers a signal as the process's SIGTERM/SIGINT handler would get it. */
  signal(name: 'SIGTERM' | 'SIGINT'): void;
  /** SIGTERM, wait for edged to exit, stop the engine, remove the directory. */
  stop(): Promise<void>;
}

/** Starts a private engine and edged on it; resolves once edged is ready, rejects if it exits first. */
export async function startEdged(options: EdgedOptions): Promise<EdgedUnderTest> {
  const engine = await startTestEngine();
  const dir = mkdtempSync(path.join(os.tmpdir(), options.prefix));
  const home = path.join(dir, 'home');
  const sockets = options.listen ? path.join(dir, 'run') : home;
  const mgmt = path.join(sockets, 'mgmt.sock');
  const workload = path.join(sockets, 'workload.sock');
  const toml = ['[moby_runtime]', `uri = "${engine.host}"`];
  if (options.network) toml.push(`network = "${options.network}"`);
  if (options.listen) toml.push('', '[listen]', `management_uri = "unix://${mgmt}"`, `workload_uri = "unix://${workload}"`);
  writeFileSync(path.join(dir, 'config.toml'), [options.preamble ?? '', ...toml, '', options.toml ?? ''].join('\n'));

  const signals = new EventEmitter();
  const log: string[] = [];
  let ready!: () => void;
  const isReady = new Promise<void>((r) => (ready = r));
  const exit = run(['--config', path.join(dir, 'config.toml'), '--home', home, ...(options.args ?? [])], {
    stderr: (l) => log.push(l),
    stdout: (l) => log.push(l),
    onSignal: (h) => {
      signals.on('signal', h);
      return () => signals.off('signal', h);
    },
    exit: () => undefined,
    onReady: ready,
  });
  const edged: EdgedUnderTest = {
    engine,
    dir,
    home,
    mgmt,
    host: `unix://${mgmt}`,
    workload,
    log,
    exit,
    signal: (name) => signals.emit('signal', name),
    stop: async () => {
      signals.emit('signal', 'SIGTERM');
      await exit.catch(() => undefined);
      await engine.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.race([isReady, exit.then((c) => Promise.reject(new Error(`edged exited ${c}: ${log.join('\n')}`)))]);
  } catch (e) {
    await edged.stop();
    throw e;
  }
  return edged;
}

/** Polls a condition with a bounded wait (the engine acts asynchronously). */
/** until() with the condition named first, as the edged and CLI suites call it. */
export function until<T>(what: string, fn: () => Promise<T | undefined>, ms?: number): Promise<T> {
  return untilShared(fn, what, ms);
}
