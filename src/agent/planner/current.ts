/** The facts a plan is made from: what runs, what the agent remembers, and the time. Plain data. */
import type { Module, ModuleStatus } from '../../runtime/types';
import { readStoredSpec, StoredSpec } from '../spec';
import type { RestartSettings } from '../types';

export interface CurrentModule {
  name: string;
  status: ModuleStatus;
  /** Docker's state word (created, running, exited ...). */
  dockerState?: string;
  exitCode?: number;
  startedAt?: number;
  finishedAt?: number;
  specHash?: string;
  spec?: StoredSpec;
}

/** What the agent remembers of a module across passes (and, via the reported state, across restarts). */
export interface ModuleHealth {
  restartCount: number;
  lastStartTime?: number;
  lastExitTime?: number;
  lastRestartTime?: number;
  exitCode?: number;
  /** Docker's health check says unhealthy (cleared when it says healthy or the container starts). */
  unhealthy?: boolean;
  /** The restart budget is spent: reported failed, not restarted again until the deployment changes. */
  gaveUp?: boolean;
}

export interface PlanFacts {
  now: number;
  health: Readonly<Record<string, ModuleHealth>>;
  settings: RestartSettings;
  /** When set, only these modules are planned (a restart timer or an event for one module). */
  scope?: ReadonlySet<string>;
  /** Exits edged did not watch happen (see UnwatchedTime): not crashes, started at once. */
  unwatched?: UnwatchedTime;
}

/**
 * The times edged could not see what the modules did: before it began watching (it was stopped,
 * the machine rebooted) and while the engine was away (stopped, restarting, crashed), widened by
 * the engine's stop budget, since a planned stop of the engine stops every container first.
 */
export interface UnwatchedTime {
  watchedSince: number;
  outages: readonly { from: number; to: number }[];
}

export function currentOf(m: Module): CurrentModule {
  const { hash, spec } = readStoredSpec(m.labels);
  return {
    name: m.name,
    status: m.state.status,
    dockerState: m.state.statusDescription,
    exitCode: m.state.exitCode,
    startedAt: m.state.startedAt?.getTime(),
    finishedAt: m.state.finishedAt?.getTime(),
    specHash: hash,
    spec,
  };
}
