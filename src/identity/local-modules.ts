/**
 * Modules of a `[local_deployment]` get from edged what edgeAgent gives the modules it creates
 * in cloud mode: their workload socket directory bound where the SDKs look for it and, when the
 * device is provisioned, an IoT Hub module identity and the IOTEDGE_* environment, so SDK
 * modules connect as under edgeAgent. Without [provisioning] they get the socket and the
 * variables that need no IoT Hub. The spec edits are pure; the runtime wrapper resolves facts.
 */
import * as path from 'node:path';
import { DelegatingRuntime } from '../runtime/delegating-runtime';
import type { Module, ModuleRuntime, ModuleSpec } from '../runtime/types';
import type { Logger } from '../util/log';

/** The module id IoT Hub knows a module by (edgeHub's is `$edgeHub`, as edgeAgent names it). */
export function moduleIdOf(name: string): string {
  return name === 'edgeHub' ? '$edgeHub' : name;
}

export interface LocalModuleFacts {
  /** Host directory serving the module's sockets. */
  socketDir: string;
  /** The workload socket inside the container (`[connect] workload_uri`, default /var/run/iotedge/workload.sock). */
  containerWorkloadSocket: string;
  apiVersion: string;
  /** Set when the device is provisioned and the module has an identity. */
  identity?: {
    hubHostname: string;
    /** The edge device's host name: where modules reach edgeHub. */
    gatewayHostname: string;
    deviceId: string;
    generationId: string;
  };
}

/** As upstream's edgeAgent: the deployment's env, then these on top (createOptions.Env still wins). */
export function localModuleSpec(spec: ModuleSpec, facts: LocalModuleFacts): ModuleSpec {
  const moduleId = moduleIdOf(spec.name);
  const env: Record<string, string> = {
    ...spec.env,
    IOTEDGE_WORKLOADURI: `unix://${facts.containerWorkloadSocket}`,
    IOTEDGE_MODULEID: moduleId,
    IOTEDGE_APIVERSION: facts.apiVersion,
  };
  const id = facts.identity;
  if (id) {
    Object.assign(env, {
      IOTEDGE_AUTHSCHEME: 'sasToken',
      IOTEDGE_MODULEGENERATIONID: id.generationId,
      IOTEDGE_IOTHUBHOSTNAME: id.hubHostname,
      IOTEDGE_DEVICEID: id.deviceId,
    });
    if (moduleId === '$edgeHub') env.EdgeDeviceHostName = id.gatewayHostname;
    else env.IOTEDGE_GATEWAYHOSTNAME = id.gatewayHostname;
  }
  const createOptions = structuredClone(spec.config.createOptions ?? {});
  const hostConfig = (createOptions.HostConfig ?? {}) as { Binds?: unknown };
  const binds = Array.isArray(hostConfig.Binds) ? (hostConfig.Binds as string[]) : [];
  const containerDir = path.posix.dirname(facts.containerWorkloadSocket);
  // A deployment that binds something there itself keeps its own.
  if (!binds.some((b) => b.split(':')[1] === containerDir)) createOptions.HostConfig = { ...hostConfig, Binds: [...binds, `${facts.socketDir}:${containerDir}:ro`] };
  return { ...spec, env, config: { ...spec.config, createOptions } };
}

export interface LocalModuleDeps {
  socketDir(name: string): Promise<string>;
  containerWorkloadSocket: string;
  apiVersion: string;
  /** The module's identity facts, or undefined without [provisioning]; throws when none can be had. */
  identity(moduleId: string): Promise<LocalModuleFacts['identity']>;
  logger: Logger;
}

export class LocalModuleRuntime extends DelegatingRuntime {
  constructor(
    inner: ModuleRuntime,
    private readonly deps: LocalModuleDeps,
  ) {
    super(inner);
  }

  override async create(spec: ModuleSpec): Promise<Module> {
    let identity: LocalModuleFacts['identity'];
    try {
      identity = await this.deps.identity(moduleIdOf(spec.name));
    } catch (e) {
      this.deps.logger.warn(`Module ${spec.name} is created without an IoT Hub identity (${(e as Error).message}); it gets one when it is created again`);
    }
    const facts = { socketDir: await this.deps.socketDir(spec.name), containerWorkloadSocket: this.deps.containerWorkloadSocket, apiVersion: this.deps.apiVersion, identity };
    return this.inner.create(localModuleSpec(spec, facts));
  }
}
