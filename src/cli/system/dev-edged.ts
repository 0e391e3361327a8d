/**
 * edged on a development machine (not under snapd): found by `<home>/edged.pid` if edged wrote
 * one, else by scanning /proc for a `edged ... --config FILE` or `--home DIR` command line.
 * There is no supervisor here: `system restart` and `config apply` stop it and start the same
 * command line again themselves (dev-restart.ts).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

export interface ProcFs {
  readFile(file: string): Promise<string>;
  readdir(dir: string): Promise<string[]>;
  /** /proc/<pid>/cwd, to resolve a relative --home or --config; without it they resolve against ours. */
  readlink?(file: string): Promise<string>;
}

export const realProcFs: ProcFs = {
  readFile: (f) => fs.readFile(f, 'utf8'),
  readdir: (d) => fs.readdir(d),
  readlink: (f) => fs.readlink(f),
};

export interface EdgedProcess {
  pid: number;
  how: 'pidfile' | 'proc';
}

export async function findDevEdged(opts: { home: string; config?: string }, pfs: ProcFs = realProcFs): Promise<EdgedProcess | undefined> {
  try {
    const pid = Number.parseInt((await pfs.readFile(path.join(opts.home, 'edged.pid'))).trim(), 10);
    if (Number.isInteger(pid) && pid > 0 && (await alive(pid, pfs))) return { pid, how: 'pidfile' };
  } catch {
    // no pidfile: look at the processes
  }
  let entries: string[] = [];
  try {
    entries = await pfs.readdir('/proc');
  } catch {
    return undefined;
  }
  // `edged --home edged` started in another directory: its relative paths are relative to its cwd.
  const wanted = async (pid: string, argv: string[], flag: string, value: string | undefined) => {
    if (!value) return false;
    const i = argv.indexOf(flag);
    if (i < 0 || argv[i + 1] === undefined) return false;
    const cwd = path.isAbsolute(argv[i + 1]) ? '' : await pfs.readlink?.(`/proc/${pid}/cwd`).catch(() => '');
    return path.resolve(cwd || '', argv[i + 1]) === path.resolve(value);
  };
  for (const e of entries) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    let argv: string[];
    try {
      argv = (await pfs.readFile(`/proc/${e}/cmdline`)).split('\0').filter(Boolean);
    } catch {
      continue;
    }
    if (!argv.some((a) => /(^|\/)edged(\.js)?$/.test(a) || /edged\/main(\.js)?$/.test(a))) continue;
    if ((await wanted(e, argv, '--home', opts.home)) || (await wanted(e, argv, '--config', opts.config))) return { pid: Number(e), how: 'proc' };
  }
  return undefined;
}

async function alive(pid: number, pfs: ProcFs): Promise<boolean> {
  try {
    await pfs.readFile(`/proc/${pid}/cmdline`);
    return true;
  } catch {
    return false;
  }
}

/** When a process started (from /proc/<pid>/stat and the boot time; clock ticks at the usual 100 Hz). */
export async function processStartTime(pid: number, pfs: ProcFs = realProcFs): Promise<Date | undefined> {
  try {
    const stat = await pfs.readFile(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    const btime = Number(/^btime (\d+)$/m.exec(await pfs.readFile('/proc/stat'))?.[1]);
    if (!Number.isFinite(ticks) || !Number.isFinite(btime)) return undefined;
    return new Date((btime + ticks / 100) * 1000);
  } catch {
    return undefined;
  }
}
