/**
 * Entry point of every hook (`bin/snap-hook NAME`): wiring only. A failure prints one line on
 * stderr (snap set shows it) and exits non-zero; secrets are never part of that line.
 */
import * as os from 'node:os';
import { ManagementClient } from '../api/management/client/management-client';
import { BadRequestError, exitCodeOf, formatError } from '../errors';
import { createLogger } from '../util/log';
import { runViewHook, type ConfdbDeps } from './confdb/custodian';
import type { EdgedLive } from './confdb/live';
import { parseViewHook } from './confdb/views';
import { systemSnapctl } from './exec';
import { configure } from './hooks/configure';
import { importProvisioning } from './provisioning-import';
import type { HookDeps } from './hooks/deps';
import { install, plugChanged, postRefresh, remove } from './hooks/lifecycle';
import { snapName, snapPathsFromEnv } from './paths';
import { Snapctl } from './snapctl';

export async function runHook(name: string, d: HookDeps | ConfdbDeps): Promise<void> {
  const view = parseViewHook(name);
  if (view) {
    if (!('edged' in d)) throw new Error(`hook "${name}" needs the confdb dependencies`);
    return runViewHook(d, view.kind, view.plug);
  }
  const plug = /^(connect|disconnect)-plug-(.+)$/.exec(name);
  if (plug) return plugChanged(d, plug[2], plug[1] === 'connect');
  switch (name) {
    case 'install':
      return install(d);
    case 'configure':
      // `snap set` first; then a provisioning file left meanwhile (by cloud-init) is imported.
      await configure(d);
      await importProvisioning(d, configure);
      return;
    case 'post-refresh':
      return postRefresh(d);
    case 'remove':
      return remove(d);
    default:
      throw new BadRequestError(`unknown hook "${name}"`, { hint: 'hooks/NAME runs it with its own name (see hooks/)' });
  }
}

export async function run(argv: string[]): Promise<void> {
  const name = argv[0] ?? process.env.SNAP_HOOK_NAME ?? '';
  const verbose = process.env.AZIOT_HOOK_VERBOSE === '1';
  // Hook logs go to stdout (snapd keeps them in the change's log); stderr is the error line.
  const logger = createLogger({ level: 'info', component: `hook ${name}`, write: (l) => process.stdout.write(l + '\n') });
  try {
    const paths = snapPathsFromEnv();
    const deps: HookDeps = {
      snapctl: new Snapctl(systemSnapctl()),
      paths,
      snapName: snapName(),
      logger,
      hostname: os.hostname(),
    };
    await runHook(name, parseViewHook(name) ? { ...deps, edged: edgedLive(paths.mgmtSock), snapVersion: process.env.SNAP_VERSION ?? '' } : deps);
  } catch (e) {
    process.stderr.write(formatError(e, verbose) + '\n');
    process.exitCode = exitCodeOf(e);
  }
}

/** edged's management API for the live views: short queries (a read waits on this hook). */
function edgedLive(mgmtSock: string): EdgedLive {
  const client = new ManagementClient(`unix://${mgmtSock}`, undefined, 10_000);
  return {
    modules: async () =>
      (await client.list()).map((m) => ({ name: m.name, status: m.runtimeStatus?.status ?? m.state.status, image: m.config.image, exitCode: m.state.exitCode })),
    version: async () => (await client.systemInfo()).version,
  };
}
