/**
 * edgeAgent, created as upstream's aziot-edged creates it in cloud mode: the `[agent]` settings,
 * plus the environment that tells it who it is and where edged is, its sockets bound in, the
 * module network and the owner labels. Building the spec is pure.
 *
 * Upstream binds the management socket and edgeAgent's workload socket as files; edged binds
 * edgeAgent's socket directory (`<home>/mnt/<agent>/`, serving both) read-only at
 * /var/run/iotedge, so that the sockets edged recreates when it restarts reach the running agent.
 */
import * as path from 'node:path';
import { OWNER_LABEL, OWNER_VALUE, ORIGINAL_IMAGE_LABEL, ModuleSpec } from '../../runtime/types';
import type { AgentSettings } from '../../config/types';

export const AGENT_MODULE_ID = '$edgeAgent';
/** The management API version edgeAgent is told to use (upstream: ApiVersion::V2022_08_03). */
export const AGENT_API_VERSION = '2022-08-03';
/** Where edgeAgent finds the sockets inside its container unless [connect] says otherwise. */
export const CONTAINER_MANAGEMENT_SOCKET = '/var/run/iotedge/mgmt.sock';
export const CONTAINER_WORKLOAD_SOCKET = '/var/run/iotedge/workload.sock';

/** Where edgeAgent's sockets are inside its container, and which of them its bound directory serves. */
export interface AgentSocketLayout {
  /** The container directory the socket directory is bound at (that of the workload socket). */
  containerDir: string;
  workloadName: string;
  /** The management socket's name in the directory; undefined when [connect] puts it elsewhere (it is then bound as a file). */
  managementName?: string;
}

export function agentSocketLayout(containerWorkloadSocket = CONTAINER_WORKLOAD_SOCKET, containerManagementSocket = CONTAINER_MANAGEMENT_SOCKET): AgentSocketLayout {
  const containerDir = path.posix.dirname(containerWorkloadSocket);
  const workloadName = path.posix.basename(containerWorkloadSocket);
  const managementName = path.posix.basename(containerManagementSocket);
  const together = path.posix.dirname(containerManagementSocket) === containerDir && managementName !== workloadName;
  return { containerDir, workloadName, ...(together ? { managementName } : {}) };
}

export interface AgentDevice {
  hubHostname: string;
  gatewayHostname: string;
  deviceId: string;
}

export interface AgentSpecInputs {
  agent: AgentSettings;
  device: AgentDevice;
  generationId: string;
  /** `hostname` of the super-config (EdgeDeviceHostName). */
  hostname: string;
  /** Host path of the management socket edged listens on. */
  managementSocket: string;
  /** Host path of edgeAgent's socket directory (`<home>/mnt/<agent>`). */
  socketDir: string;
  /** Host directory of the per-module sockets (`<home>/mnt`): edgeAgent binds `<it>/<module>.sock`, which edged turns into the module's directory. */
  workloadMountDir: string;
  /** Paths inside the container; default /var/run/iotedge/{mgmt,workload}.sock. */
  containerManagementSocket?: string;
  containerWorkloadSocket?: string;
  network: string;
}

export function agentSpec(input: AgentSpecInputs): ModuleSpec {
  const mgmtInside = input.containerManagementSocket ?? CONTAINER_MANAGEMENT_SOCKET;
  const workloadInside = input.containerWorkloadSocket ?? CONTAINER_WORKLOAD_SOCKET;
  const layout = agentSocketLayout(workloadInside, mgmtInside);
  const image = input.agent.config.image;

  // Upstream appends its own variables over the user's [agent.env]: these are edged's to decide.
  const env: Record<string, string> = {
    ...input.agent.env,
    NetworkId: input.network,
    EdgeDeviceHostName: input.hostname,
    IOTEDGE_APIVERSION: AGENT_API_VERSION,
    IOTEDGE_AUTHSCHEME: 'sasToken',
    IOTEDGE_DEVICEID: input.device.deviceId,
    IOTEDGE_IOTHUBHOSTNAME: input.device.hubHostname,
    IOTEDGE_MODULEID: AGENT_MODULE_ID,
    IOTEDGE_MODULEGENERATIONID: input.generationId,
    IOTEDGE_WORKLOADURI: `unix://${workloadInside}`,
    IOTEDGE_MANAGEMENTURI: `unix://${mgmtInside}`,
    IOTEDGE_WORKLOADLISTEN_MNTURI: `unix://${input.workloadMountDir}`,
    Mode: 'iotedged',
  };
  if (input.device.gatewayHostname.toLowerCase() !== input.device.hubHostname.toLowerCase()) {
    env.IOTEDGE_GATEWAYHOSTNAME = input.device.gatewayHostname;
  }

  const createOptions = structuredClone(input.agent.config.createOptions ?? {}) as Record<string, any>;
  const hostConfig = (createOptions.HostConfig ??= {});
  const binds: string[] = (hostConfig.Binds ??= []);
  const socketBinds = [`${input.socketDir}:${layout.containerDir}:ro`];
  if (!layout.managementName) socketBinds.unshift(`${input.managementSocket}:${mgmtInside}`);
  for (const bind of socketBinds) {
    if (!binds.includes(bind)) binds.push(bind);
  }
  const endpoints = ((createOptions.NetworkingConfig ??= {}).EndpointsConfig ??= {});
  endpoints[input.network] ??= {};
  // IoT Edge reserves the net.azure-devices.edge label prefix; these overwrite the user's.
  createOptions.Labels = {
    ...(createOptions.Labels ?? {}),
    'net.azure-devices.edge.create-options': '{}',
    'net.azure-devices.edge.env': '{}',
    [ORIGINAL_IMAGE_LABEL]: image,
    [OWNER_LABEL]: OWNER_VALUE,
  };

  return {
    name: input.agent.name,
    type: 'docker',
    imagePullPolicy: input.agent.imagePullPolicy,
    config: { image, createOptions, ...(hasAuth(input.agent.config.auth) ? { auth: input.agent.config.auth } : {}) },
    env,
  };
}

function hasAuth(auth: AgentSettings['config']['auth']): boolean {
  return !!auth && Object.values(auth).some((v) => v !== undefined && v !== '');
}
