import type { CliRuntime } from '../../../src/cli/command';
import { captureCli, strictCliRuntime } from '../../helpers/cli';

/** A runtime that throws on every call unless the test gives an implementation. */
export const strictRuntime = strictCliRuntime;

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = {}, runtime: CliRuntime = strictRuntime()) {
  return captureCli(argv, { env, now: () => Date.UTC(2026, 0, 31, 12), signal: new AbortController().signal, runtimeFor: () => runtime });
}
