/** A fake process table for the development-machine restart: a process that exits a few polls after SIGTERM. */
import type { DevRestartIo, LaunchSpec } from '../../src/cli/system/dev-restart';

export interface FakeProcess {
  pid: number;
  argv: string[];
  cwd: string;
  environ?: string;
  /** Polls it stays alive after SIGTERM; Infinity: never exits. */
  exitsAfterPolls?: number;
}

export function fakeDevRestart(p: FakeProcess) {
  const killed: Array<[number, string]> = [];
  const launched: LaunchSpec[] = [];
  const pids: Array<[string, number]> = [];
  let alive = true;
  let pollsLeft = p.exitsAfterPolls ?? 2;
  let signalled = false;
  const enoent = () => Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  const io: DevRestartIo = {
    procFs: {
      readFile: async (f) => {
        if (!alive) throw enoent();
        if (f === `/proc/${p.pid}/cmdline`) return `${p.argv.join('\0')}\0`;
        if (f === `/proc/${p.pid}/environ`) {
          if (p.environ === undefined) throw enoent();
          return p.environ;
        }
        if (f === `/proc/${p.pid}/stat`) {
          if (signalled && pollsLeft-- <= 0) {
            alive = false;
            throw enoent();
          }
          return `${p.pid} (node) S 1 ${p.pid}`;
        }
        throw enoent();
      },
      readdir: async () => (alive ? [String(p.pid)] : []),
    },
    readlink: async (f) => {
      if (!alive || f !== `/proc/${p.pid}/cwd`) throw enoent();
      return p.cwd;
    },
    kill: (pid, sig) => {
      killed.push([pid, sig]);
      if (pid === p.pid && sig === 'SIGTERM') signalled = true;
    },
    launch: async (spec) => (launched.push(spec), 5151),
    writePid: async (file, pid) => void pids.push([file, pid]),
    delay: async () => undefined,
  };
  return { io, killed, launched, pids };
}
