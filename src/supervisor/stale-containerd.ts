/**
 * After dockerd is killed -9, its managed containerd dies with it, but the pidfile stays. If that
 * pid is a zombie (its reaper has not run yet) the next dockerd believes containerd is alive
 * and waits ~15 s for its socket before starting a new one. Clear such a pidfile first.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export type ProcState = (pid: number) => Promise<string | undefined>;

/** The state letter of /proc/PID/stat (R, S, Z ...), or undefined when there is no such process. */
export const procState: ProcState = async (pid) => {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
};

export async function clearStaleContainerd(execRoot: string, state: ProcState = procState): Promise<boolean> {
  const pidfile = path.join(execRoot, 'containerd', 'containerd.pid');
  let pid: number;
  try {
    pid = Number((await fs.readFile(pidfile, 'utf8')).trim());
  } catch {
    return false;
  }
  const s = Number.isInteger(pid) && pid > 0 ? await state(pid) : undefined;
  if (s !== undefined && s !== 'Z' && s !== 'X') return false;
  await fs.rm(pidfile, { force: true });
  return true;
}
