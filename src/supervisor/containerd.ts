/**
 * The engine's own containerd. Docker 20.10 uses /run/containerd/containerd.sock whenever that
 * socket exists (a host Docker's containerd) unless `--containerd` names another: the snap's
 * engine would then run its containers in the host's containerd. So the dockerd service runs a
 * containerd of its own (its socket, root, state and opt directory, its config file so a host
 * /etc/containerd/config.toml is never read) and points dockerd at it.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SnapPaths } from '../snap/paths';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import { EdgeError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import { type ProcessTable, adoptablePid, adoptedChild, procTable } from './adopt';
import type { Child, Exit, Spawner } from './spawner';
import { describeExit } from './spawner';
import { StartDeadline } from './start-deadline';
import { sleepLinked } from './supervise';

/** containerd namespaces of the snap's engine (dockerd's defaults are moby / plugins.moby). */

export function containerdConfigToml(paths: SnapPaths): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    'version = 2',
    `root = ${q(paths.containerdRoot)}`,
    `state = ${q(paths.containerdState)}`,
    // dockerd does not use CRI; its managed containerd disables it too.
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '',
    '[grpc]',
    `  address = ${q(paths.containerdSock)}`,
    '',
    '[ttrpc]',
    `  address = ${q(paths.containerdSock + '.ttrpc')}`,
    '',
    // Defaults to /opt/containerd, which a host containerd also uses.
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = ${q(path.join(paths.containerdRoot, 'opt'))}`,
    '',
  ].join('\n');
}

export function containerdArgs(paths: SnapPaths): string[] {
  return [
    `--config=${paths.containerdConfig}`,
    `--address=${paths.containerdSock}`,
    `--root=${paths.containerdRoot}`,
    `--state=${paths.containerdState}`,
  ];
}

export interface ContainerdKeeperDeps {
  paths: SnapPaths;
  spawner: Spawner;
  clock: Clock;
  logger: Logger;
  binary?: string;
  env?: NodeJS.ProcessEnv;
  /** containerd died while it was meant to run (not on our stop). */
  onUnexpectedExit: (exit: Exit) => void;
  /** How long to wait for its socket after start. */
  readyDeadlineMs?: number;
  /** Does the socket exist? (injected: unit tests have no containerd) */
  socketExists?: (file: string) => Promise<boolean>;
  procs?: ProcessTable;
}

const statSocket = async (file: string) => (await fs.stat(file).catch(() => undefined))?.isSocket() === true;

/**
 * Starts containerd when it is not running (or adopts the one a crashed supervisor left), waits
 * for its socket; stops it after dockerd.
 */
export class ContainerdKeeper {
  private child: Child | undefined;
  private alive = false;
  private stopping = false;

  constructor(private readonly d: ContainerdKeeperDeps) {}

  private async leftover(): Promise<Child | undefined> {
    const { paths, clock } = this.d;
    const procs = this.d.procs ?? procTable;
    const pid = await adoptablePid(paths.containerdPidfile, `--config=${paths.containerdConfig}`, procs);
    return pid === undefined ? undefined : adoptedChild(pid, procs, clock);
  }

  /**
   * containerd stopped (SIGSTOP): the engine answers its pings but can start or stop nothing.
   * SIGTERM and SIGCONT make it exit, and its unexpected exit restarts the engine with it.
   */
  async thawIfFrozen(): Promise<boolean> {
    const child = this.child;
    if (!child || !this.alive || (await (this.d.procs ?? procTable).state(child.pid)) !== 'T') return false;
    this.d.logger.warn('containerd is stopped (SIGSTOP): restarting it with dockerd');
    child.kill('SIGTERM');
    child.kill('SIGCONT');
    return true;
  }

  get running(): boolean {
    return this.alive;
  }

  async ensure(signal: AbortSignal): Promise<void> {
    if (this.alive) return;
    const { paths, logger } = this.d;
    for (const dir of [paths.containerdRoot, paths.containerdState, path.dirname(paths.containerdSock)]) {
      await fs.mkdir(dir, { recursive: true, mode: 0o711 });
    }
    let child: Child | undefined = await this.leftover();
    if (child) {
      logger.info('containerd is still running (the supervisor restarted): adopted', { pid: child.pid });
    } else {
      await writeFileAtomic(paths.containerdConfig, containerdConfigToml(paths), { mode: 0o644 });
      await fs.rm(paths.containerdSock, { force: true });
      child = this.d.spawner({ command: this.d.binary ?? 'containerd', args: containerdArgs(paths), env: this.d.env });
      await writeFileAtomic(paths.containerdPidfile, `${child.pid}\n`, { mode: 0o644 });
      logger.info('containerd started', { pid: child.pid });
    }
    this.child = child;
    this.alive = true;
    void child.exited.then((exit) => {
      if (this.child !== child) return;
      this.alive = false;
      if (this.stopping) return;
      logger.warn(`containerd ${describeExit(exit)}: restarting it with dockerd`);
      this.d.onUnexpectedExit(exit);
    });
    const exists = this.d.socketExists ?? statSocket;
    const deadline = new StartDeadline(this.d.readyDeadlineMs ?? 30_000, this.d.clock.now());
    const procs = this.d.procs ?? procTable;
    let told = false;
    while (!(await exists(paths.containerdSock))) {
      if (!this.alive) throw new EdgeError('containerd exited before its socket appeared', { hint: "see the dockerd service's log" });
      const now = this.d.clock.now();
      const giveUp = deadline.check(now, deadline.sampling(now) ? await procs.cpuMs?.(child.pid).catch(() => undefined) : undefined);
      if (giveUp) {
        await this.stop(5000);
        throw new EdgeError(`containerd did not create ${paths.containerdSock}: ${giveUp}`, { hint: "see the dockerd service's log" });
      }
      if (deadline.extended(now) && !told) {
        told = true;
        logger.warn('containerd has no socket yet but is still working: waiting for it');
      }
      await sleepLinked(this.d.clock, 100, signal);
    }
  }

  /** SIGTERM, SIGKILL after graceMs. Call after dockerd has stopped. Also the one a crashed supervisor left. */
  async stop(graceMs: number): Promise<void> {
    const child = this.alive ? this.child : await this.leftover();
    if (!child) return;
    this.stopping = true;
    try {
      child.kill('SIGTERM');
      const ctl = new AbortController();
      const exit = await Promise.race([child.exited, this.d.clock.sleep(graceMs, ctl.signal).then(() => undefined, () => undefined)]);
      ctl.abort();
      if (!exit) {
        this.d.logger.warn(`containerd did not stop within ${graceMs / 1000}s: killing it`);
        child.kill('SIGKILL');
        await child.exited;
      }
    } finally {
      this.alive = false;
      this.stopping = false;
    }
  }
}
