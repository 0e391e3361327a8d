/**
 * A real restart of edged on a development machine, where no supervisor starts it again: read
 * the running edged's command line, working directory and environment from /proc, SIGTERM it,
 * wait (bounded) for it to exit, and start it again detached the same way, its output appended
 * to `<home>/edged.log` and its pid written to `<home>/edged.pid`.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EdgeError } from '../../errors';
import { writeFileAtomic } from '../../util/atomic-write';
import type { EdgedProcess, ProcFs } from './dev-edged';
import { realProcFs } from './dev-edged';

export interface LaunchSpec {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
}

export interface DevRestartIo {
  procFs: ProcFs;
  readlink(file: string): Promise<string>;
  kill(pid: number, signal: string): void;
  /** Starts the process detached (it outlives the CLI); resolves with its pid. */
  launch(spec: LaunchSpec): Promise<number>;
  writePid(file: string, pid: number): Promise<void>;
  delay(ms: number): Promise<void>;
}

export const realDevRestartIo: DevRestartIo = {
  procFs: realProcFs,
  readlink: (f) => fs.readlink(f),
  kill: (pid, signal) => process.kill(pid, signal),
  launch: async (spec) => {
    await fs.mkdir(path.dirname(spec.logFile), { recursive: true });
    const fd = openSync(spec.logFile, 'a', 0o600);
    try {
      const child = spawn(spec.argv[0], spec.argv.slice(1), { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', fd, fd] });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('spawn', () => resolve(child.pid!));
      });
      child.unref();
      return pid;
    } finally {
      closeSync(fd);
    }
  },
  writePid: (file, pid) => writeFileAtomic(file, `${pid}\n`, { mode: 0o644 }),
  delay: (ms) => new Promise((r) => setTimeout(r, ms)),
};

export interface DevRestartOptions {
  home: string;
  /** How long edged may take to exit after SIGTERM (it removes its sockets and returns). */
  exitTimeoutMs?: number;
  pollMs?: number;
}

/** A process is gone once /proc no longer has it, or it is a zombie its parent has not reaped. */
async function running(pid: number, pfs: ProcFs): Promise<boolean> {
  try {
    const stat = await pfs.readFile(`/proc/${pid}/stat`);
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Restarts the given edged; returns the line to print. */
export async function restartDevEdged(edged: EdgedProcess, opts: DevRestartOptions, io: DevRestartIo = realDevRestartIo): Promise<string> {
  const { pid } = edged;
  let argv: string[];
  let cwd: string;
  try {
    argv = (await io.procFs.readFile(`/proc/${pid}/cmdline`)).split('\0').filter(Boolean);
    cwd = await io.readlink(`/proc/${pid}/cwd`);
  } catch (e) {
    throw new EdgeError(`cannot read how edged (pid ${pid}) was started: ${(e as Error).message}`, {
      hint: 'run the command as the user edged runs as (or root), or restart edged by hand',
      cause: e,
    });
  }
  if (argv.length === 0) throw new EdgeError(`edged (pid ${pid}) has no command line (it is exiting)`, { hint: 'start edged again by hand' });
  const env = await io.procFs
    .readFile(`/proc/${pid}/environ`)
    .then((text) => Object.fromEntries(text.split('\0').filter((kv) => kv.includes('=')).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])))
    .catch(() => ({ ...process.env }) as Record<string, string>);

  io.kill(pid, 'SIGTERM');
  const timeout = opts.exitTimeoutMs ?? 30_000;
  const poll = opts.pollMs ?? 100;
  for (let waited = 0; await running(pid, io.procFs); waited += poll) {
    if (waited >= timeout) {
      throw new EdgeError(`edged (pid ${pid}) did not exit within ${Math.round(timeout / 1000)} s of SIGTERM; it was not started again`, {
        hint: `look at ${path.join(opts.home, 'edged.log')}, then \`kill -9 ${pid}\` and start edged again`,
      });
    }
    await io.delay(poll);
  }

  const logFile = path.join(opts.home, 'edged.log');
  const pidFile = path.join(opts.home, 'edged.pid');
  const started = await io.launch({ argv, cwd, env, logFile }).catch((e: Error) => {
    throw new EdgeError(`edged (pid ${pid}) stopped, but starting it again failed: ${e.message}`, { hint: `start it by hand: cd ${cwd} && ${argv.join(' ')}`, cause: e });
  });
  await io.writePid(pidFile, started);
  return `Restarted edged: pid ${pid} stopped, pid ${started} started (${argv.join(' ')}, in ${cwd}); its output is appended to ${logFile}.`;
}
