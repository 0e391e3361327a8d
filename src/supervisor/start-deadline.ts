/**
 * When a process that is not ready yet is given up on. A fixed deadline from the start is right
 * on a device and wrong on a machine many times slower (a VM under TCG emulation, a loaded host):
 * there containerd, dockerd and edged start slowly but steadily, working all the time, and were
 * restarted in a loop just before they would have been ready. So the deadline only ends a start
 * that makes no progress: past `deadlineMs`, a process that used at least PROGRESS_SHARE of a CPU
 * over the last PROGRESS_WINDOW_MS (with its descendants': dockerd waiting for its apparmor_parser
 * or iptables is still starting) is still working and is waited for; one that idles (blocked on something that
 * never comes: edged's "Initializing modules" hang) is restarted at the deadline as before. A
 * process that keeps working and never becomes ready (a busy loop) is restarted at
 * `deadlineMs * CAP_FACTOR`.
 */

export const PROGRESS_WINDOW_MS = 10_000;
export const PROGRESS_SHARE = 0.05;
export const CAP_FACTOR = 10;

interface Sample {
  at: number;
  cpuMs: number;
}

export class StartDeadline {
  private samples: Sample[] = [];

  constructor(
    private readonly deadlineMs: number,
    private readonly startedAt: number,
  ) {}

  /**
   * One observation of a process that is not ready: undefined while it may still become ready,
   * else why to give up on it. `cpuMs` undefined (not known, e.g. /proc unreadable): the plain
   * deadline.
   */
  check(now: number, cpuMs: number | undefined): string | undefined {
    if (cpuMs !== undefined) this.record(now, cpuMs);
    const elapsed = now - this.startedAt;
    if (elapsed < this.deadlineMs) return undefined;
    const capMs = this.deadlineMs * CAP_FACTOR;
    if (elapsed >= capMs) return `not ready ${seconds(capMs)}s after start (busy all along)`;
    if (cpuMs !== undefined && this.working()) return undefined;
    return elapsed < this.deadlineMs + PROGRESS_WINDOW_MS
      ? `not ready ${seconds(this.deadlineMs)}s after start`
      : `not ready ${seconds(elapsed)}s after start (no progress in the last ${seconds(PROGRESS_WINDOW_MS)}s)`;
  }

  /** Whether a CPU figure taken now would be used (only the last window before the deadline and after). */
  sampling(now: number): boolean {
    return now - this.startedAt >= this.deadlineMs - PROGRESS_WINDOW_MS;
  }

  /** Past the plain deadline, still waited for because it works. */
  extended(now: number): boolean {
    return now - this.startedAt >= this.deadlineMs;
  }

  private record(now: number, cpuMs: number): void {
    this.samples.push({ at: now, cpuMs });
    // Keep one sample at or before the window's start, so the window is always covered.
    while (this.samples.length > 1 && this.samples[1].at <= now - PROGRESS_WINDOW_MS) this.samples.shift();
  }

  private working(): boolean {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const span = last.at - first.at;
    return span >= PROGRESS_WINDOW_MS / 2 && last.cpuMs - first.cpuMs >= PROGRESS_SHARE * span;
  }
}

const seconds = (ms: number) => Math.round(ms / 1000);

/** CPU time of a process and of its waited-for children, from /proc/<pid>/stat (fields 14-17). */
export function cpuMsFromStat(stat: string, ticksPerSecond = 100): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the comm: state is field 3, so utime (14) .. cstime (17) are at 11 .. 14 here.
  const ticks = fields.slice(11, 15).map(Number);
  if (ticks.length < 4 || ticks.some((n) => !Number.isFinite(n))) return undefined;
  return ((ticks[0] + ticks[1] + ticks[2] + ticks[3]) * 1000) / ticksPerSecond;
}
