/**
 * Upstream edgeAgent's restart policy (RestartPolicyManager), as pure functions of the observed
 * status, the restart count and the clock. Policies are ordered never < on-failure < on-unhealthy
 * < always: anything above `never` restarts a failed or unhealthy module, `always` also restarts
 * one that exited cleanly.
 */
import type { RestartPolicy, RestartSettings } from './types';

/** The status the policy looks at: the runtime's, with `unhealthy` from Docker's health check. */
export type ObservedStatus = 'running' | 'stopped' | 'failed' | 'unhealthy';

export function wantsRestart(policy: RestartPolicy, status: ObservedStatus): boolean {
  if (status === 'running' || policy === 'never') return false;
  return policy === 'always' || status === 'failed' || status === 'unhealthy';
}

/** min(unit * 2^restartCount, max): 10 s, 20 s, 40 s ... 5 min with upstream's constants. */
export function coolOffMs(restartCount: number, settings: RestartSettings): number {
  return Math.min(settings.coolOffUnitMs * Math.pow(2, restartCount), settings.maxCoolOffMs);
}

export interface RestartInput {
  policy: RestartPolicy;
  status: ObservedStatus;
  restartCount: number;
  lastStartTime?: number;
  lastExitTime?: number;
  now: number;
}

export type RestartDecision =
  | { kind: 'none' }
  | { kind: 'restart'; restartCount: number }
  | { kind: 'wait'; at: number; restartCount: number }
  | { kind: 'give-up'; restartCount: number };

/** The restart count that applies: a module that ran for the intensive-care time starts again from zero. */
export function effectiveRestartCount(count: number, lastStartTime: number | undefined, until: number | undefined, settings: RestartSettings): number {
  if (count > 0 && lastStartTime !== undefined && until !== undefined && until - lastStartTime >= settings.intensiveCareMs) return 0;
  return count;
}

export function decideRestart(input: RestartInput, settings: RestartSettings): RestartDecision {
  if (!wantsRestart(input.policy, input.status)) return { kind: 'none' };
  const exitedAt = input.lastExitTime ?? input.now;
  const count = effectiveRestartCount(input.restartCount, input.lastStartTime, exitedAt, settings);
  if (count >= settings.maxRestartCount) return { kind: 'give-up', restartCount: count };
  const at = exitedAt + coolOffMs(count, settings);
  // A clock behind the exit time (exitedAt in the future) restarts at once, as upstream does.
  if (input.now >= at || exitedAt > input.now) return { kind: 'restart', restartCount: count };
  return { kind: 'wait', at, restartCount: count };
}
