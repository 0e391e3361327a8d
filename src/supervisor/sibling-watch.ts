/**
 * Each service's supervisor watches the other's, since nothing else can: systemd's watchdog is
 * out of reach under snapd (docs/snap.md, "A frozen supervisor"). A supervisor found stopped
 * (SIGSTOP: /proc state T; a debugger's tracing stop is `t` and left alone) at `strikes` probes
 * in a row is killed, so that systemd restarts its service and the new supervisor adopts what the
 * old one ran (the engine and containerd; the iotedged service starts a new edged). A pid is only
 * killed while its command line is that supervisor's, so a reused pid is never hit. Both stopped
 * at once stay unseen.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import { readPidfile, type ProcessTable } from './adopt';
import { sleepLinked } from './supervise';

export type ServiceName = 'dockerd' | 'iotedged';

const SIBLING: Record<ServiceName, ServiceName> = { dockerd: 'iotedged', iotedged: 'dockerd' };

export function supervisorPidFile(runDir: string, service: ServiceName): string {
  return path.join(runDir, `supervisor-${service}.pid`);
}

/** Says where this supervisor is, for its sibling to watch. */
export async function announceSupervisor(runDir: string, service: ServiceName, pid = process.pid): Promise<void> {
  await fs.mkdir(runDir, { recursive: true });
  await writeFileAtomic(supervisorPidFile(runDir, service), `${pid}\n`, { mode: 0o644 });
}

/** `node …/bin/snap-service <service>`: the supervisor of that service. */
export function isSupervisorOf(cmdline: readonly string[], service: ServiceName): boolean {
  const i = cmdline.findIndex((a) => path.basename(a) === 'snap-service');
  return i >= 0 && cmdline[i + 1] === service;
}

export interface SiblingWatchOptions {
  runDir: string;
  /** This supervisor's service; the other one is watched. */
  service: ServiceName;
  procs: ProcessTable;
  clock: Clock;
  signal: AbortSignal;
  logger: Logger;
  intervalMs?: number;
  /** Probes in a row that must find it stopped. */
  strikes?: number;
}

/** Runs until the signal aborts. */
export async function watchSibling(o: SiblingWatchOptions): Promise<void> {
  const sibling = SIBLING[o.service];
  const file = supervisorPidFile(o.runDir, sibling);
  const strikes = o.strikes ?? 2;
  let seen: { pid: number; times: number } | undefined;
  for (;;) {
    try {
      await sleepLinked(o.clock, o.intervalMs ?? 2000, o.signal);
    } catch {
      return;
    }
    const pid = await readPidfile(file);
    const stopped = pid !== undefined && (await o.procs.state(pid)) === 'T' && isSupervisorOf((await o.procs.cmdline(pid)) ?? [], sibling);
    if (!stopped) {
      seen = undefined;
      continue;
    }
    seen = seen?.pid === pid ? { pid, times: seen.times + 1 } : { pid, times: 1 };
    if (seen.times < strikes) continue;
    o.logger.warn(`the ${sibling} service's supervisor (pid ${pid}) is stopped (SIGSTOP): killing it so that systemd restarts it`);
    o.procs.kill(pid, 'SIGKILL');
    seen = undefined;
  }
}
