/** Fake children and a fake spawner: every start is recorded, exits are driven by the test. */
import type { Child, Exit, SpawnRequest, Spawner } from '../../src/supervisor/spawner';

export class FakeChild implements Child {
  readonly signals: NodeJS.Signals[] = [];
  private resolveExit!: (e: Exit) => void;
  readonly exited: Promise<Exit>;
  done = false;
  /** When false, SIGTERM is ignored (a hung or stopped process). */
  obeysTerm = true;

  constructor(readonly pid: number, readonly req: SpawnRequest) {
    this.exited = new Promise((r) => (this.resolveExit = r));
  }

  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (this.done) return;
    this.done = true;
    this.resolveExit({ code, signal });
  }

  kill(signal: NodeJS.Signals): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL') this.exit(null, 'SIGKILL');
    else if (signal === 'SIGTERM' && this.obeysTerm) this.exit(0);
  }
}

export function fakeSpawner(): Spawner & { children: FakeChild[] } {
  const children: FakeChild[] = [];
  const spawner = ((req: SpawnRequest): FakeChild => {
    const c = new FakeChild(1000 + children.length, req);
    children.push(c);
    return c;
  }) as unknown as Spawner & { children: FakeChild[] };
  spawner.children = children;
  return spawner;
}

/** A process table for adoption tests: pid -> arguments and state; SIGTERM/SIGKILL end a process. */
export function fakeProcs(procs: Record<number, { args: string[]; state?: string; obeysTerm?: boolean }> = {}) {
  const signals: string[] = [];
  return {
    procs,
    signals,
    cmdline: async (pid: number) => procs[pid]?.args,
    state: async (pid: number) => (procs[pid] ? (procs[pid].state ?? 'S') : undefined),
    kill: (pid: number, signal: NodeJS.Signals) => {
      signals.push(`${pid} ${signal}`);
      if (signal === 'SIGKILL' || (signal === 'SIGTERM' && procs[pid]?.obeysTerm !== false)) delete procs[pid];
    },
  };
}
