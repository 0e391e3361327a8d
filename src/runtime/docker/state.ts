/** Docker's view of a container, turned into the runtime's Module: pure functions, no I/O. */
import type { ContainerInspectInfo } from 'dockerode';
import { Module, ModuleRuntimeState, ModuleStatus, ORIGINAL_IMAGE_LABEL, OWNER_LABEL, OWNER_VALUE } from '../types';
import { parseEnv } from './create-body';

/** Docker's zero time: the container never started / never finished. */
export const DOCKER_ZERO_TIME = '0001-01-01T00:00:00Z';

/** As upstream edgelet-docker: created/paused/restarting are stopped; exited/removing depend on the exit code. */
export function statusFromDocker(dockerStatus: string | undefined, exitCode: number | undefined): ModuleStatus {
  switch (dockerStatus) {
    case 'created':
    case 'paused':
    case 'restarting':
      return 'stopped';
    case 'exited':
    case 'removing':
      return exitCode === undefined || exitCode === 0 ? 'stopped' : 'failed';
    case 'dead':
      return 'dead';
    case 'running':
      return 'running';
    default:
      return 'unknown';
  }
}

export function parseDockerTime(value: string | undefined | null): Date | undefined {
  if (!value || value.startsWith('0001-01-01')) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function isOwned(labels: Record<string, string> | null | undefined): boolean {
  return labels?.[OWNER_LABEL] === OWNER_VALUE;
}

type InspectState = Partial<ContainerInspectInfo['State']>;

export function runtimeStateFromInspect(state: InspectState | undefined, imageId?: string): ModuleRuntimeState {
  if (!state) return { status: 'unknown' };
  const exitCode = typeof state.ExitCode === 'number' ? state.ExitCode : undefined;
  const result: ModuleRuntimeState = {
    status: statusFromDocker(state.Status, exitCode),
    exitCode,
    statusDescription: state.Status,
    startedAt: parseDockerTime(state.StartedAt),
    finishedAt: parseDockerTime(state.FinishedAt),
    imageId: imageId || undefined,
    // Docker reports pid 0 for a container that is not running.
    pid: state.Pid ? state.Pid : undefined,
  };
  for (const key of Object.keys(result) as (keyof ModuleRuntimeState)[]) {
    if (result[key] === undefined) delete result[key];
  }
  return result;
}

/** The module as the runtime reports it; the image is the one the deployment named (original-image label). */
export function moduleFromInspect(info: ContainerInspectInfo): Module {
  const labels: Record<string, string> = { ...(info.Config?.Labels ?? {}) };
  const name = info.Name.replace(/^\//, '');
  return {
    id: info.Id,
    name,
    type: 'docker',
    config: {
      image: labels[ORIGINAL_IMAGE_LABEL] ?? info.Config?.Image ?? info.Image,
      // As upstream: the stored create options carry the labels (the agent keeps its own copy there).
      createOptions: { Labels: labels },
    },
    env: parseEnv(info.Config?.Env),
    labels,
    state: runtimeStateFromInspect(info.State, info.Image),
  };
}
