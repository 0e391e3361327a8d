/** The iotedge CLI in-process for tests: a strict fake runtime, a captured run, a captured context. */
import { PassThrough } from 'node:stream';
import type { CliContext, CliRuntime } from '../../src/cli/command';
import type { CliDeps } from '../../src/cli/context';
import { execute } from '../../src/cli/main';

/** A CLI runtime that answers what a test gives it and throws on anything else. */
export function strictCliRuntime(impl: Partial<CliRuntime> = {}): CliRuntime {
  return new Proxy(impl as CliRuntime, {
    get(target, prop) {
      if (prop in target) return (target as unknown as Record<string | symbol, unknown>)[prop];
      if (prop === 'then') return undefined;
      return () => {
        throw new Error(`fake runtime: ${String(prop)} is not implemented`);
      };
    },
  });
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `iotedge argv` through execute() with stdout and stderr captured; env is {} unless given. */
export async function captureCli(argv: string[], deps: Partial<Omit<CliDeps, 'stdout' | 'stderr'>> = {}): Promise<CliRun> {
  const { out, err, stdout, stderr } = capturedStreams();
  const code = await execute(argv, { env: {}, ...deps, stdout: out, stderr: err });
  return { code, stdout: stdout(), stderr: stderr() };
}

/**
 * A CliContext for calling a command's run function directly, with stdout and stderr captured.
 * Defaults: env {}, the clock at 0, no host to reach, a runtime that throws on every call.
 */
export function capturedContext(overrides: Partial<CliContext> = {}): { ctx: CliContext; stdout(): string; stderr(): string } {
  const { out, err, stdout, stderr } = capturedStreams();
  const ctx: CliContext = {
    env: {},
    stdout: out,
    stderr: err,
    now: () => 0,
    signal: new AbortController().signal,
    host: 'unix:///nowhere.sock',
    verbose: false,
    runtime: () => strictCliRuntime(),
    engineFor: () => {
      throw new Error('fake context: no container engine');
    },
    ...overrides,
  };
  return { ctx, stdout, stderr };
}

function capturedStreams() {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  return { out, err, stdout: () => Buffer.concat(o).toString(), stderr: () => Buffer.concat(e).toString() };
}
