/**
 * The reported-state document, shaped like edgeAgent's reported properties: per module the
 * runtime status and restart history, and the outcome of the last desired deployment.
 * Pure: built from the desired deployment, what the engine shows and what the agent remembers.
 */
import type { ModuleStatus } from '../runtime/types';
import type { CurrentModule, ModuleHealth } from './planner/current';
import type { Deployment, DeploymentStatus, DesiredModule } from './types';

export type ReportedRuntimeStatus = 'running' | 'stopped' | 'failed' | 'backoff' | 'unhealthy' | 'unknown';

export interface ReportedModule {
  type: 'docker';
  version: string;
  status: string;
  restartPolicy: string;
  imagePullPolicy: string;
  startupOrder?: number;
  settings: { image: string; createOptions: string };
  runtimeStatus: ReportedRuntimeStatus;
  exitCode?: number;
  statusDescription?: string;
  lastStartTimeUtc?: string;
  lastExitTimeUtc?: string;
  restartCount: number;
  lastRestartTimeUtc?: string;
}

export interface ReportedState {
  schemaVersion: string;
  lastDesiredVersion?: number;
  lastDesiredStatus: DeploymentStatus;
  runtime: { type: 'docker' };
  systemModules: Record<string, unknown>;
  modules: Record<string, ReportedModule>;
  /** Sections other parts of edged add, e.g. imageGarbageCollection. */
  [section: string]: unknown;
}

export interface ReportInputs {
  deployment?: Deployment;
  lastDesiredVersion?: number;
  lastDesiredStatus: DeploymentStatus;
  current: ReadonlyMap<string, CurrentModule>;
  health: Readonly<Record<string, ModuleHealth>>;
  backoff: ReadonlyMap<string, { at: number; restartCount: number }>;
  /** Why a module has no container (its create failed), by name. */
  errors: ReadonlyMap<string, string>;
  maxRestartCount: number;
  now: number;
}

const iso = (t?: number) => (t === undefined ? undefined : new Date(t).toISOString());

export function buildReportedState(inputs: ReportInputs): ReportedState {
  const modules: Record<string, ReportedModule> = {};
  const systemModules: Record<string, unknown> = {
    edgeAgent: {
      type: 'docker',
      runtimeStatus: 'running',
      statusDescription: 'local deployment: edged applies it itself, no edgeAgent container runs',
      ...(inputs.deployment?.edgeAgentImage ? { settings: { image: inputs.deployment.edgeAgentImage } } : {}),
    },
  };
  for (const d of inputs.deployment?.modules ?? []) {
    const reported = reportModule(d, inputs);
    if (d.system) systemModules[d.name] = reported;
    else modules[d.name] = reported;
  }
  return {
    schemaVersion: '1.1',
    ...(inputs.lastDesiredVersion === undefined ? {} : { lastDesiredVersion: inputs.lastDesiredVersion }),
    lastDesiredStatus: inputs.lastDesiredStatus,
    runtime: { type: 'docker' },
    systemModules,
    modules,
  };
}

function reportModule(d: DesiredModule, inputs: ReportInputs): ReportedModule {
  const c = inputs.current.get(d.name);
  const h = inputs.health[d.name] ?? { restartCount: 0 };
  // A module the deployment now wants stopped waits for no restart, whatever was scheduled.
  const backoff = d.status === 'running' ? inputs.backoff.get(d.name) : undefined;
  const { runtimeStatus, statusDescription } = statusOf(d.name, c, h, backoff, inputs);
  const out: ReportedModule = {
    type: 'docker',
    version: d.version,
    status: d.status,
    restartPolicy: d.restartPolicy,
    imagePullPolicy: d.imagePullPolicy,
    settings: { image: d.image, createOptions: JSON.stringify(d.createOptions) },
    runtimeStatus,
    restartCount: h.restartCount,
  };
  if (d.startupOrder !== 4294967295) out.startupOrder = d.startupOrder;
  const exitCode = c?.status === 'running' ? undefined : (c?.exitCode ?? h.exitCode);
  if (exitCode !== undefined && (c?.finishedAt !== undefined || h.lastExitTime !== undefined)) out.exitCode = exitCode;
  if (statusDescription) out.statusDescription = statusDescription;
  const times = {
    lastStartTimeUtc: iso(c?.startedAt ?? h.lastStartTime),
    lastExitTimeUtc: iso(c?.finishedAt ?? h.lastExitTime),
    lastRestartTimeUtc: iso(h.lastRestartTime),
  };
  for (const [k, v] of Object.entries(times)) if (v) (out as unknown as Record<string, string>)[k] = v;
  return out;
}

function statusOf(
  name: string,
  c: CurrentModule | undefined,
  h: ModuleHealth,
  backoff: { at: number; restartCount: number } | undefined,
  inputs: ReportInputs,
): { runtimeStatus: ReportedRuntimeStatus; statusDescription?: string } {
  if (!c) {
    const error = inputs.errors.get(name);
    return error ? { runtimeStatus: 'failed', statusDescription: error } : { runtimeStatus: 'unknown', statusDescription: 'not created yet' };
  }
  if (c.status === 'running') {
    return h.unhealthy ? { runtimeStatus: 'unhealthy', statusDescription: 'the health check reports unhealthy' } : { runtimeStatus: 'running', statusDescription: 'running' };
  }
  const error = inputs.errors.get(name);
  if (error && !backoff) return { runtimeStatus: 'failed', statusDescription: error };
  if (backoff) return { runtimeStatus: 'backoff', statusDescription: backoffDescription(backoff, inputs.now, inputs.maxRestartCount) };
  if (h.gaveUp) return { runtimeStatus: 'failed', statusDescription: `restarted ${h.restartCount} times; not restarting again` };
  return { runtimeStatus: mapStatus(c.status), statusDescription: describeExit(c) };
}

export function backoffDescription(b: { at: number; restartCount: number }, now: number, max: number): string {
  const seconds = Math.max(0, Math.ceil((b.at - now) / 1000));
  return `waiting to restart in ${seconds} s (restart ${b.restartCount + 1} of ${max})`;
}

function mapStatus(s: ModuleStatus): ReportedRuntimeStatus {
  if (s === 'dead') return 'failed';
  return s;
}

function describeExit(c: CurrentModule): string {
  if (c.dockerState === 'created') return 'created';
  return c.exitCode === undefined ? (c.dockerState ?? c.status) : `exited with code ${c.exitCode}`;
}
