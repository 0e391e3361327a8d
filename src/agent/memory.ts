/**
 * What the agent remembers of each module between passes: restart history and health, the
 * restart it waits for (backoff), and the last error of a step that failed.
 */
import type { ModuleHealth } from './planner/current';

export interface Backoff {
  at: number;
  /** The restart count before the coming restart. */
  restartCount: number;
}

export class ModuleMemory {
  health: Record<string, ModuleHealth> = {};
  readonly backoff = new Map<string, Backoff>();
  readonly errors = new Map<string, string>();
  /** Failed steps per module, for the retry cool-off. */
  readonly retries = new Map<string, number>();

  healthOf(name: string): ModuleHealth {
    return (this.health[name] ??= { restartCount: 0 });
  }

  /** A new container: its history starts over. */
  fresh(name: string): void {
    this.health[name] = { restartCount: 0 };
    this.backoff.delete(name);
  }

  forget(name: string): void {
    delete this.health[name];
    this.backoff.delete(name);
    this.errors.delete(name);
    this.retries.delete(name);
  }

  started(name: string, now: number): void {
    const h = this.healthOf(name);
    h.lastStartTime = now;
    h.unhealthy = false;
    this.backoff.delete(name);
    this.errors.delete(name);
    this.retries.delete(name);
  }
}
