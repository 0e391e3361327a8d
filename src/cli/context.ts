/** What every command runs with (CliContext), built from injectable process dependencies. */
import type { Writable } from 'node:stream';
import { EdgeError, exitCodeOf, formatError } from '../errors';
import type { EngineConnect } from '../runtime/engine';
import type { CliContext, CliRuntime } from './command';
import { defaultHost } from './host';

export interface CliDeps {
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  now(): number;
  signal: AbortSignal;
  /** How to reach the daemon; the management client unless a test says otherwise. */
  runtimeFor(host: string, signal: AbortSignal): CliRuntime;
  /** The container engine for diagnostics; the entry point (main.ts) gives Docker's. */
  engineFor?: EngineConnect;
}

/** Exit code of a run interrupted by Ctrl-C that did not end by itself (128 + SIGINT). */
export const INTERRUPTED = 130;

function managementClient(host: string, signal: AbortSignal): CliRuntime {
  // Loaded on first use, so `iotedge version` and `--help` never load the HTTP client.
  const { ManagementClient } = require('../api/management/client/management-client') as typeof import('../api/management/client/management-client');
  return new ManagementClient(host, signal);
}

export function cliDeps(partial: Partial<CliDeps> = {}): CliDeps {
  return {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    now: Date.now,
    signal: new AbortController().signal,
    runtimeFor: managementClient,
    ...partial,
  };
}

export function createContext(argv: readonly string[], deps: CliDeps): CliContext {
  let runtime: CliRuntime | undefined;
  const ctx: CliContext = {
    env: deps.env,
    stdout: deps.stdout,
    stderr: deps.stderr,
    now: deps.now,
    signal: deps.signal,
    host: defaultHost(deps.env),
    verbose: argv.includes('--verbose'),
    runtime: () => (runtime ??= deps.runtimeFor(ctx.host, deps.signal)),
    engineFor: (uri, options) => {
      if (!deps.engineFor) throw new EdgeError('this command line cannot reach the container engine');
      return deps.engineFor(uri, options);
    },
  };
  return ctx;
}

/** THE place where a failure becomes one line on stderr (causes only with --verbose) and an exit code. */
export function failed(e: unknown, ctx: CliContext): number {
  if (ctx.signal.aborted) return INTERRUPTED;
  if (!(e instanceof EdgeError && e.reported)) ctx.stderr.write(`${formatError(e, ctx.verbose)}\n`);
  return exitCodeOf(e);
}

/** Runs `execute` with Ctrl-C and SIGTERM turned into an abort signal, and sets the exit code. */
export async function runWithSignals(execute: (signal: AbortSignal) => Promise<number>): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  // A reader that went away (`iotedge logs -f | head`) ends the command, quietly and successfully.
  let readerGone = false;
  const onOutputError = (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    readerGone = true;
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  process.stdout.on('error', onOutputError);
  try {
    const code = await execute(controller.signal);
    process.exitCode = readerGone ? 0 : code;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
