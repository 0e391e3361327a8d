/** Starting processes is injected: the loops are tested with fake children and a fake clock. */
import { spawn } from 'node:child_process';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  pid: number;
  /** Resolves once, when the process has exited (never rejects). */
  exited: Promise<Exit>;
  kill(signal: NodeJS.Signals): void;
}

export interface SpawnRequest {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

export type Spawner = (req: SpawnRequest) => Child;

/** Children share our stdout/stderr, so their logs land in the service's journal. */
export const processSpawner: Spawner = (req) => spawnWithOutput(req, 'inherit');

/** Children write to this file descriptor instead (tests keep the engine's log in a file). */
export function fileSpawner(fd: number): Spawner {
  return (req) => spawnWithOutput(req, fd);
}

function spawnWithOutput(req: SpawnRequest, out: 'inherit' | number): Child {
  const cp = spawn(req.command, req.args, { env: req.env ?? process.env, stdio: ['ignore', out, out] });
  const exited = new Promise<Exit>((resolve) => {
    cp.once('exit', (code, signal) => resolve({ code, signal }));
    // A spawn failure (ENOENT) emits 'error' and no 'exit': report it as exit 127.
    cp.once('error', (e) => {
      process.stderr.write(`cannot start ${req.command}: ${e.message}\n`);
      resolve({ code: 127, signal: null });
    });
  });
  return {
    pid: cp.pid ?? -1,
    exited,
    kill: (signal) => {
      try {
        cp.kill(signal);
      } catch {
        /* already gone */
      }
    },
  };
}

export function describeExit(e: Exit): string {
  if (e.code === null && e.signal === null) return 'exited'; // an adopted process: its status is its parent's
  return e.signal ? `killed by ${e.signal}` : `exited with code ${e.code}`;
}
