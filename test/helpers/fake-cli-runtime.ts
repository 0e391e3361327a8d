/** A CLI runtime for unit tests: answers what a test gives it and throws on anything else. */
import { Readable } from 'node:stream';
import type { CliRuntime } from '../../src/cli/command';
import type { ListedModule } from '../../src/api/management/client/management-client';
import { captureCli, strictCliRuntime, type CliRun } from './cli';

export const fakeRuntime = strictCliRuntime;

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

/** Runs the CLI in-process against `runtime`, with the clock at `now`. */
export async function cli(argv: string[], runtime: CliRuntime, now = Date.UTC(2026, 0, 31, 12), signal?: AbortSignal): Promise<CliRun> {
  return captureCli(argv, { now: () => now, signal: signal ?? new AbortController().signal, runtimeFor: () => runtime });
}

export { Readable };
