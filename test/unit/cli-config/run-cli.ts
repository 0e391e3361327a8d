import { PassThrough } from 'node:stream';
import type { CliRuntime } from '../../../src/cli/command';
import { execute } from '../../../src/cli/main';

/** A runtime that throws on every call unless the test gives an implementation. */
export function strictRuntime(impl: Partial<CliRuntime> = {}): CliRuntime {
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

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}, runtime: CliRuntime = strictRuntime()) {
  const out = new PassThrough();
  const err = new PassThrough();
  const o: Buffer[] = [];
  const e: Buffer[] = [];
  out.on('data', (c: Buffer) => o.push(c));
  err.on('data', (c: Buffer) => e.push(c));
  const code = await execute(argv, { env, stdout: out, stderr: err, now: () => Date.UTC(2026, 0, 31, 12), signal: new AbortController().signal, runtimeFor: () => runtime });
  return { code, stdout: Buffer.concat(o).toString(), stderr: Buffer.concat(e).toString() };
}
