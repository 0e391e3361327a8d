/**
 * Entry point of every hook (`bin/snap-hook NAME`): wiring only. A failure prints one line on
 * stderr (snap set shows it) and exits non-zero; secrets are never part of that line.
 */
import * as os from 'node:os';
import { formatError } from '../errors';
import { createLogger } from '../util/log';
import { systemSnapctl } from './exec';
import { configure } from './hooks/configure';
import type { HookDeps } from './hooks/deps';
import { install, plugChanged, postRefresh, remove } from './hooks/lifecycle';
import { snapName, snapPathsFromEnv } from './paths';
import { Snapctl } from './snapctl';

export async function runHook(name: string, d: HookDeps): Promise<void> {
  const plug = /^(connect|disconnect)-plug-(.+)$/.exec(name);
  if (plug) return plugChanged(d, plug[2], plug[1] === 'connect');
  switch (name) {
    case 'install':
      return install(d);
    case 'configure':
      return configure(d);
    case 'post-refresh':
      return postRefresh(d);
    case 'remove':
      return remove(d);
    default:
      throw new Error(`unknown hook "${name}"`);
  }
}

export async function run(argv: string[]): Promise<void> {
  const name = argv[0] ?? process.env.SNAP_HOOK_NAME ?? '';
  const verbose = process.env.AZIOT_HOOK_VERBOSE === '1';
  // Hook logs go to stdout (snapd keeps them in the change's log); stderr is the error line.
  const logger = createLogger({ level: 'info', component: `hook ${name}`, write: (l) => process.stdout.write(l + '\n') });
  try {
    const deps: HookDeps = {
      snapctl: new Snapctl(systemSnapctl()),
      paths: snapPathsFromEnv(),
      snapName: snapName(),
      logger,
      hostname: os.hostname(),
    };
    await runHook(name, deps);
  } catch (e) {
    process.stderr.write(formatError(e, verbose) + '\n');
    process.exitCode = 1;
  }
}
