/** A CLI runtime for unit tests: answers what a test gives it and throws on anything else. */
import { PassThrough, Readable } from 'node:stream';
import type { CliRuntime } from '../../../src/cli/command';
import type { ListedModule } from '../../../src/cli/management-client';
import { execute } from '../../../src/cli/main';

export function fakeRuntime(impl: Partial<CliRuntime>): CliRuntime {
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

export function listed(name: string, image: string, status: string, extra: Partial<ListedModule['state']> = {}): ListedModule {
  const known = ['running', 'stopped', 'failed', 'dead', 'unknown'].includes(status);
  return {
    id: `id-${name}`,
    name,
    type: 'docker',
    config: { image, createOptions: {} },
    env: {},
    labels: {},
    state: { status: known ? (status as ListedModule['state']['status']) : 'unknown', ...extra },
    runtimeStatus: { status },
  };
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process against `runtime`, with the clock at `now`. */
export async function cli(argv: string[], runtime: CliRuntime, now = Date.UTC(2026, 0, 31, 12), signal?: AbortSignal): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const code = await execute(argv, {
    env: {},
    stdout: out,
    stderr: err,
    now: () => now,
    signal: signal ?? new AbortController().signal,
    runtimeFor: () => runtime,
  });
  return { code, stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() };
}

export { Readable };
