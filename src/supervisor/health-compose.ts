/**
 * The snap has one health and two services: each service records its own state, and the health
 * is composed from both and from what edged reports of the modules, so no service's "okay" can
 * hide the other's problem. Pure: the facts in, the health out.
 */
import type { HealthStatus } from '../snap/snapctl';

export interface HealthReport {
  status: HealthStatus;
  message?: string;
  code?: string;
}

export interface HealthFacts {
  /** The dockerd service's own state (engine, containerd, the data disk); none: never ran. */
  dockerd?: HealthReport;
  /** The iotedged service's own state (edged); none: never ran. */
  iotedged?: HealthReport;
  /** edged's reported-state.json, parsed; none: not written (yet). */
  reported?: unknown;
  /** A provisioning file the snap refused (src/snap/provisioning-import.ts), parsed; none: none refused. */
  provisioning?: unknown;
}

/**
 * The engine first (nothing runs without it), then edged, then the deployment and the modules.
 * Undefined: nothing to say (edged never ran and the engine is fine: the hooks' health stands).
 */
export function composeHealth(f: HealthFacts): HealthReport | undefined {
  // The device was meant to be provisioned from its image and is not: that is what to fix first.
  const refused = f.provisioning as HealthReport | undefined;
  if (refused && refused.status === 'error' && typeof refused.message === 'string') return { status: 'error', message: refused.message, code: 'provisioning-file' };
  if (f.dockerd?.code === 'disk-full') return withConsequence(f.dockerd, f.iotedged?.status === 'okay' ? modulesHealth(f.reported) : undefined);
  if (f.dockerd && f.dockerd.status !== 'okay') return f.dockerd;
  if (!f.iotedged) return undefined;
  if (f.iotedged.status !== 'okay') return f.iotedged;
  return modulesHealth(f.reported) ?? { status: 'okay' };
}

/**
 * A full disk is the cause, but the engine still runs: what it broke (a module that could not be
 * created, modules down) is said too, or the health would hide which module to look at.
 */
function withConsequence(disk: HealthReport, consequence: HealthReport | undefined): HealthReport {
  return consequence ? { ...disk, message: `${disk.message ?? 'disk-full'}; ${consequence.message ?? consequence.code ?? ''}` } : disk;
}

interface ReportedModule {
  status?: unknown;
  runtimeStatus?: unknown;
}

/** What the reported state says is wrong with the deployment or its modules, if anything. */
export function modulesHealth(reported: unknown): HealthReport | undefined {
  if (!reported || typeof reported !== 'object') return undefined;
  const doc = reported as { lastDesiredStatus?: { code?: unknown; description?: unknown }; modules?: Record<string, ReportedModule> };
  const desired = doc.lastDesiredStatus;
  const description = typeof desired?.description === 'string' ? desired.description : '';
  if (desired?.code === 400 || desired?.code === 412) {
    return { status: 'error', message: `deployment rejected: ${description}`, code: 'deployment-rejected' };
  }
  const failed = /^module (\S+): (?:create|recreate) failed/.exec(description);
  if (desired?.code === 500 && failed) {
    return { status: 'error', message: `module-create-failed: ${failed[1]}: ${description.slice(failed[0].length + 2)}`, code: 'module-create-failed' };
  }
  const wanted = Object.entries(doc.modules ?? {}).filter(([, m]) => m && m.status === 'running');
  const inState = (...states: string[]) => wanted.filter(([, m]) => states.includes(String(m.runtimeStatus))).map(([n]) => n);
  const down = inState('stopped', 'failed', 'unknown', 'unhealthy');
  if (down.length) return { status: 'error', message: `modules-down: ${down.join(', ')}`, code: 'modules-down' };
  const backoff = inState('backoff');
  if (backoff.length) return { status: 'error', message: `modules-backoff: ${backoff.join(', ')}`, code: 'modules-backoff' };
  return undefined;
}
