/** The iotedge CLI in-process for tests: a strict fake runtime, and a run with its output captured. */
import { PassThrough } from 'node:stream';
import type { CliRuntime } from '../../src/cli/command';
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
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const code = await execute(argv, { env: {}, ...deps, stdout: out, stderr: err });
  return { code, stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() };
}
