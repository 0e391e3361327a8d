/**
 * The engine outlives a crash of its supervisor (systemd stops only the supervisor's own process,
 * snapcraft.yaml's stop-mode: sigterm): the restarted supervisor adopts the dockerd and containerd
 * its pidfiles name, if /proc says they are still ours, instead of starting a second engine over
 * the same data-root. An adopted process is not our child: its exit is seen by polling /proc.
 */
import { promises as fs } from 'node:fs';
import type { Clock } from '../util/clock';
import type { Child, Exit } from './spawner';
import { cpuMsFromStat } from './start-deadline';

/** What the supervisor reads of other processes (injected: unit tests have a fake table). */
export interface ProcessTable {
  /** The argument vector, or undefined when there is no such process. */
  cmdline(pid: number): Promise<string[] | undefined>;
  /** The one-letter process state (R, S, D, T, Z ...), undefined when gone. */
  state(pid: number): Promise<string | undefined>;
  /** CPU time used by the process and its waited children (start deadlines), undefined when gone. */
  cpuMs?(pid: number): Promise<number | undefined>;
  kill(pid: number, signal: NodeJS.Signals): void;
}

export const procTable: ProcessTable = {
  cmdline: async (pid) => {
    const raw = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => undefined);
    return raw ? raw.split('\0').filter(Boolean) : undefined;
  },
  // status, not stat: the kernel checks ptrace read access for parts of /proc/<pid>/stat, which
  // AppArmor denies between the snap's two apps (one supervisor watches the other's state).
  state: async (pid) => stateFromStatus(await fs.readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined)),
  cpuMs: (pid) => treeCpuMs(pid),
  kill: (pid, signal) => {
    try {
      process.kill(pid, signal);
    } catch {
      /* already gone */
    }
  },
};

/** "State:\tT (stopped)" → "T". */
export function stateFromStatus(status: string | undefined): string | undefined {
  return status === undefined ? undefined : /^State:\s+(\S)/m.exec(status)?.[1];
}

/**
 * CPU time of a process, of its children it has waited for, and of its live descendants: a
 * dockerd waiting for its apparmor_parser or iptables is still starting. Undefined when gone.
 */
async function treeCpuMs(pid: number, depth = 0): Promise<number | undefined> {
  const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  const own = stat === undefined ? undefined : cpuMsFromStat(stat);
  if (own === undefined || depth > 8) return own;
  const tasks = await fs.readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const children = new Set<number>();
  for (const t of tasks) {
    const list = await fs.readFile(`/proc/${pid}/task/${t}/children`, 'utf8').catch(() => '');
    for (const c of list.split(' ').filter(Boolean)) children.add(Number(c));
  }
  let total = own;
  for (const c of children) total += (await treeCpuMs(c, depth + 1)) ?? 0;
  return total;
}

/** The pid a pidfile holds; undefined when it is missing, empty or holds no pid above 1. */
export async function readPidfile(pidfile: string): Promise<number | undefined> {
  const pid = Number((await fs.readFile(pidfile, 'utf8').catch(() => '')).trim());
  return Number.isInteger(pid) && pid > 1 ? pid : undefined;
}

/** The pid a pidfile names, if that process runs and its arguments include `mark` (ours, not a reused pid). */
export async function adoptablePid(pidfile: string, mark: string, procs: ProcessTable): Promise<number | undefined> {
  const pid = await readPidfile(pidfile);
  if (pid === undefined) return undefined;
  const state = await procs.state(pid);
  if (state === undefined || state === 'Z' || state === 'X') return undefined;
  return (await procs.cmdline(pid))?.includes(mark) ? pid : undefined;
}

/**
 * A process we did not start, as a Child: kill sends signals, `exited` resolves once /proc shows
 * it gone (polled, and looked at again right after each signal).
 */
export function adoptedChild(pid: number, procs: ProcessTable, clock: Clock, pollMs = 500): Child {
  let wake = new AbortController();
  const exited = (async (): Promise<Exit> => {
    for (;;) {
      const s = await procs.state(pid);
      if (s === undefined || s === 'Z' || s === 'X') return { code: null, signal: null };
      await clock.sleep(pollMs, wake.signal).catch(() => (wake = new AbortController()));
    }
  })();
  return {
    pid,
    exited,
    kill: (signal) => {
      procs.kill(pid, signal);
      wake.abort();
    },
  };
}
