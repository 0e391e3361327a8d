/**
 * The deployment as the agent understands it, after parsing and validation: the `$edgeAgent`
 * desired properties of an IoT Hub deployment, typed, with upstream's defaults applied.
 */
import type { RegistryAuth } from '../runtime/types';

export type RestartPolicy = 'never' | 'on-failure' | 'on-unhealthy' | 'always';
export type DesiredStatus = 'running' | 'stopped';
export type PullPolicy = 'on-create' | 'never';

/** Upstream's default startupOrder: uint32 max, i.e. "after everything that has one". */
export const DEFAULT_STARTUP_ORDER = 4294967295;

export interface DesiredModule {
  name: string;
  /** edgeHub is a system module: its restart policy defaults to `always`. */
  system: boolean;
  version: string;
  type: 'docker';
  status: DesiredStatus;
  restartPolicy: RestartPolicy;
  imagePullPolicy: PullPolicy;
  startupOrder: number;
  /** Normalized: always carries a tag or digest. */
  image: string;
  /** Parsed from settings.createOptions (+ createOptions01..99). */
  createOptions: Record<string, unknown>;
  env: Record<string, string>;
  /** Registry credentials matched by the image's registry host; never logged or labelled. */
  auth?: RegistryAuth;
}

export interface RegistryCredential {
  name: string;
  address: string;
  username: string;
  password: string;
}

export interface Deployment {
  schemaVersion: string;
  /** Version of the desired document when it names one, else undefined. */
  version?: number;
  /** Modules and system modules (edgeHub) to run, by name. */
  modules: DesiredModule[];
  registryCredentials: RegistryCredential[];
  /** The edgeAgent entry, when the manifest carries one: not run in local mode, reported as given. */
  edgeAgentImage?: string;
}

/** Upstream's deployment status codes (Microsoft.Azure.Devices.Edge.Agent.Core.DeploymentStatusCode). */
export const DeploymentStatusCode = {
  ok: 200,
  formatError: 400,
  invalidSchemaVersion: 412,
  empty: 417,
  failed: 500,
} as const;

export interface DeploymentStatus {
  code: number;
  description: string;
}

/** The restart policy constants: upstream's values are the defaults; each one is a setting. */
export interface RestartSettings {
  /** Cool-off unit: wait min(unit * 2^restartCount, max) before a restart. */
  coolOffUnitMs: number;
  maxCoolOffMs: number;
  /** After this many restarts a module is reported failed and left alone. */
  maxRestartCount: number;
  /** A module that has run this long gets its restart count reset. */
  intensiveCareMs: number;
}

export const DEFAULT_RESTART_SETTINGS: RestartSettings = {
  coolOffUnitMs: 10_000,
  maxCoolOffMs: 300_000,
  maxRestartCount: 20,
  intensiveCareMs: 10 * 60_000,
};
