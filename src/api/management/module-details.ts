/** A runtime Module as the API's ModuleDetails, filled the way upstream's edgelet-http fills it. */
import type { Module, ModuleRuntime, ModuleRuntimeState } from '../../runtime/types';
import type { ModuleStatusOverlay } from './context';
import type { ModuleDetails, ModuleSettings } from './wire';

/**
 * GET /modules, as the management and the workload API both answer it: every owned module, with
 * the agent's status overlay. `from` is read at request time (the overlay may arrive later).
 */
export async function listModuleDetails(from: {
  runtime: Pick<ModuleRuntime, 'list'>;
  moduleStatus?: (name: string) => ModuleStatusOverlay | undefined;
}): Promise<{ modules: ModuleDetails[] }> {
  const modules = await from.runtime.list();
  return { modules: modules.map((m) => moduleDetails(m, from.moduleStatus?.(m.name))) };
}

export function moduleDetails(module: Module, overlay?: ModuleStatusOverlay): ModuleDetails {
  const settings: ModuleSettings = { image: module.config.image, createOptions: module.config.createOptions };
  if (module.state.imageId) settings.imageHash = module.state.imageId;
  if (module.config.digest) settings.digest = module.config.digest;
  // Registry credentials are never echoed back.
  return {
    id: module.id,
    name: module.name,
    type: module.type,
    // Upstream answers an empty env list: the container's env holds the image's too (PATH, ...),
    // and an agent comparing it with its desired env would see differences that are not there.
    config: { settings, env: [] },
    status: statusOf(module.state, overlay),
  };
}

function statusOf(state: ModuleRuntimeState, overlay?: ModuleStatusOverlay): ModuleDetails['status'] {
  const status: ModuleDetails['status'] = {
    runtimeStatus: overlay
      ? { status: overlay.status, ...(overlay.description !== undefined ? { description: overlay.description } : {}) }
      : { status: state.status, ...(state.statusDescription ? { description: state.statusDescription } : {}) },
  };
  // IoT Hub reads these as UTC: they must end with "Z".
  if (state.startedAt) status.startTime = state.startedAt.toISOString();
  if (state.exitCode !== undefined && state.finishedAt) {
    status.exitStatus = { exitTime: state.finishedAt.toISOString(), statusCode: String(state.exitCode) };
  }
  return status;
}
