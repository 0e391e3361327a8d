/**
 * The runtime every module created through edged goes through: its workload socket directory is
 * made before it is created and removed after it is; with [local_deployment] (no edgeAgent to
 * do it) it also gets upstream's environment and its socket bound in.
 */
import { hostname as osHostname } from 'node:os';
import { WorkloadSocketRuntime } from '../../api/workload/runtime-hooks';
import { moduleSocketDir, type WorkloadSockets } from '../../api/workload/sockets';
import type { SuperConfig } from '../../config/types';
import { LocalModuleRuntime } from '../../identity/local-modules';
import type { ModuleRuntime } from '../../runtime/types';
import type { Logger } from '../../util/log';
import { AGENT_API_VERSION, CONTAINER_WORKLOAD_SOCKET } from '../edge-agent/spec';
import type { IdentityState } from './state';

export interface ModuleRuntimeInputs {
  config: SuperConfig;
  sockets: WorkloadSockets;
  state: IdentityState;
  /** Where a module finds its workload socket (`connect.workload_uri`), when it is a unix socket. */
  containerWorkload?: string;
  logger: Logger;
}

export function workloadRuntime(inner: ModuleRuntime, { config, sockets, state, containerWorkload, logger }: ModuleRuntimeInputs): ModuleRuntime {
  const runtime = new WorkloadSocketRuntime(inner, sockets);
  if (!config.local_deployment) return runtime;
  return new LocalModuleRuntime(runtime, {
    socketDir: async (name) => moduleSocketDir(await sockets.root(), name),
    containerWorkloadSocket: containerWorkload ?? CONTAINER_WORKLOAD_SOCKET,
    apiVersion: AGENT_API_VERSION,
    identity: async (moduleId) => {
      const ids = state.ready().device.identities;
      if (!ids) return undefined;
      const { generationId } = await ids.ensure(moduleId);
      return { hubHostname: ids.device.hubHostname, gatewayHostname: config.hostname ?? osHostname(), deviceId: ids.device.deviceId, generationId };
    },
    logger,
  });
}
