/**
 * The reconciliation plan: a pure function from what runs, what is desired and a few facts
 * (time, restart history) to the steps that make them agree. No I/O; tests assert on its output.
 */
import { decideRestart, effectiveRestartCount, ObservedStatus } from '../restart-policy';
import { changedFields, specHash, storedSpecOf } from '../spec';
import type { DesiredModule } from '../types';
import type { CurrentModule, ModuleHealth, PlanFacts } from './current';
import { CLEANUP_PHASE, Step } from './steps';

/** Never removed in local mode: an edgeAgent container left from cloud mode is not ours to judge. */
const KEEP = new Set(['edgeAgent']);

export function plan(current: readonly CurrentModule[], desired: readonly DesiredModule[], facts: PlanFacts): Step[] {
  const inScope = (name: string) => !facts.scope || facts.scope.has(name);
  const byName = new Map(current.map((c) => [c.name, c]));
  const wanted = new Set(desired.map((d) => d.name));
  const steps: Step[] = [];

  for (const c of current) {
    if (!wanted.has(c.name) && inScope(c.name) && !KEEP.has(c.name)) {
      steps.push({ kind: 'remove', name: c.name, phase: CLEANUP_PHASE, reason: 'no longer in the deployment' });
    }
  }
  const ordered = [...desired].filter((d) => inScope(d.name)).sort((a, b) => a.startupOrder - b.startupOrder || (a.name < b.name ? -1 : 1));
  for (const d of ordered) steps.push(...planModule(d, byName.get(d.name), facts.health[d.name] ?? { restartCount: 0 }, facts));
  return steps;
}

function planModule(d: DesiredModule, c: CurrentModule | undefined, h: ModuleHealth, facts: PlanFacts): Step[] {
  const phase = d.startupOrder;
  const name = d.name;
  const startIfWanted: Step[] = d.status === 'running' ? [{ kind: 'start', name, phase }] : [];
  if (!c) return [{ kind: 'create', name, phase, module: d }, ...startIfWanted];

  const stored = storedSpecOf(d);
  if (c.specHash !== specHash(stored)) {
    return [{ kind: 'recreate', name, phase, module: d, changed: changedFields(c.spec, stored) }, ...startIfWanted];
  }
  if (c.status === 'dead') return [{ kind: 'recreate', name, phase, module: d, changed: ['the container is dead'] }, ...startIfWanted];
  if (c.status === 'unknown') return [];

  if (d.status === 'stopped') return c.status === 'running' ? [{ kind: 'stop', name, phase }] : [];
  // Created but never started (a deployment interrupted between create and start): start it, no backoff.
  if (c.dockerState === 'created' && c.startedAt === undefined) return startIfWanted;

  const observed: ObservedStatus = c.status === 'running' ? (h.unhealthy ? 'unhealthy' : 'running') : c.status;
  if (observed === 'running') return intensiveCare(name, phase, c, h, facts);
  // Stopped with the engine, the machine or while edged was down: the system stopped it, not a crash.
  if (!h.gaveUp && exitedUnwatched(c, h, facts)) return startIfWanted;

  const decision = decideRestart(
    {
      policy: d.restartPolicy,
      status: observed,
      restartCount: h.restartCount,
      lastStartTime: h.lastStartTime ?? c.startedAt,
      lastExitTime: exitTime(c, h, facts.now),
      now: facts.now,
    },
    facts.settings,
  );
  switch (decision.kind) {
    case 'none':
      return [];
    case 'give-up':
      return h.gaveUp ? [] : [{ kind: 'give-up', name, phase, restartCount: decision.restartCount }];
    case 'restart':
      return [{ kind: 'restart', name, phase, restartCount: decision.restartCount, unhealthy: observed === 'unhealthy' }];
    case 'wait':
      return [{ kind: 'schedule-restart', name, phase, at: decision.at, restartCount: decision.restartCount }];
  }
}

/** A running module with restarts behind it: reset the count once it has run long enough, else look again then. */
function intensiveCare(name: string, phase: number, c: CurrentModule, h: ModuleHealth, facts: PlanFacts): Step[] {
  const startedAt = h.lastStartTime ?? c.startedAt;
  if (h.restartCount === 0 || startedAt === undefined) return [];
  if (effectiveRestartCount(h.restartCount, startedAt, facts.now, facts.settings) === 0) return [{ kind: 'reset-restarts', name, phase }];
  return [{ kind: 'schedule-check', name, phase, at: startedAt + facts.settings.intensiveCareMs }];
}

/**
 * An exit edged did not see: before it began watching (unless the run before reported this very
 * exit, so a crash loop across an edged restart keeps its backoff), or during an engine outage.
 */
function exitedUnwatched(c: CurrentModule, h: ModuleHealth, facts: PlanFacts): boolean {
  const at = c.finishedAt;
  const u = facts.unwatched;
  if (at === undefined || u === undefined) return false;
  const reportedBefore = h.lastExitTime !== undefined && Math.abs(h.lastExitTime - at) < 1000;
  if (at < u.watchedSince && !reportedBefore) return true;
  return u.outages.some((o) => at >= o.from && at <= o.to);
}

/**
 * When the module stopped, on the agent's clock. An exit the agent has seen (an event after the
 * last start) counts; otherwise the engine's finish time (adoption), never later than now.
 */
function exitTime(c: CurrentModule, h: ModuleHealth, now: number): number {
  const seen = h.lastExitTime !== undefined && (h.lastStartTime === undefined || h.lastExitTime >= h.lastStartTime);
  if (seen) return h.lastExitTime as number;
  return Math.min(c.finishedAt ?? now, now);
}
