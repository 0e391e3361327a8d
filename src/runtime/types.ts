/**
 * The module runtime, as the rest of the appliance sees it. The APIs, the agent, the garbage
 * collector and the CLI depend on this interface only; `docker/` implements it once.
 */
import type { Readable } from 'node:stream';

/** Labels every container the runtime creates carries; nothing without them is ever touched. */
export const OWNER_LABEL = 'net.azure-devices.edge.owner';
export const OWNER_VALUE = 'Microsoft.Azure.Devices.Edge.Agent';
export const ORIGINAL_IMAGE_LABEL = 'net.azure-devices.edge.original-image';
export const DEFAULT_NETWORK = 'azure-iot-edge';

export type ModuleStatus = 'running' | 'stopped' | 'failed' | 'dead' | 'unknown';
export type ImagePullPolicy = 'on-create' | 'never';

export interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress?: string;
  email?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Docker settings of a module: the image and the container create options, as IoT Hub gives them. */
export interface DockerConfig {
  image: string;
  /** Docker's container create body (Env, HostConfig, Labels, ...), as `createOptions` in a deployment. */
  createOptions: Record<string, unknown>;
  digest?: string;
  auth?: RegistryAuth;
}

export interface ModuleSpec {
  name: string;
  type: 'docker';
  config: DockerConfig;
  /** Environment from the deployment; `createOptions.Env` wins over it for the same name. */
  env: Record<string, string>;
  imagePullPolicy: ImagePullPolicy;
}

export interface ModuleRuntimeState {
  status: ModuleStatus;
  exitCode?: number;
  statusDescription?: string;
  startedAt?: Date;
  finishedAt?: Date;
  imageId?: string;
  pid?: number;
}

export interface Module {
  /** The container id. */
  id: string;
  name: string;
  type: 'docker';
  /** The image as the deployment named it (the original-image label), and the create options as stored. */
  config: DockerConfig;
  env: Record<string, string>;
  labels: Record<string, string>;
  state: ModuleRuntimeState;
}

export interface LogOptions {
  follow: boolean;
  /** Lines from the end, or every line. */
  tail: number | 'all';
  /** Unix seconds. */
  since?: number;
  until?: number;
  timestamps: boolean;
}

export interface SystemInfo {
  osType: string;
  architecture: string;
  version: string;
  provisioning?: { type: string; dynamicReprovisioning: boolean; alwaysReprovisionOnStartup?: boolean };
  server_version: string;
  kernel_version: string;
  operating_system: string;
  cpus: number;
  total_memory: number;
  virtualized: string;
  [key: string]: unknown;
}

export interface DiskInfo {
  name: string;
  available_space: number;
  total_space: number;
  file_system: string;
  file_type: string;
}

export interface SystemResources {
  host_uptime: number;
  process_uptime: number;
  used_cpu: number;
  used_ram: number;
  total_ram: number;
  disks: DiskInfo[];
  docker_stats: string;
}

/** A change seen on the engine's event stream, for an owned container. */
export interface RuntimeEvent {
  name: string;
  action: 'start' | 'die' | 'stop' | 'destroy' | 'create' | 'oom' | 'health_status' | string;
  exitCode?: number;
  time: Date;
}

export interface ModuleRuntime {
  /**
   * Pulls when the policy says so, makes sure the network exists, creates the container and
   * answers the module as created (so callers need not look it up again). Conflict if it exists.
   */
  create(spec: ModuleSpec): Promise<Module>;
  pull(config: DockerConfig): Promise<void>;
  start(name: string): Promise<void>;
  stop(name: string, waitBeforeKillSeconds?: number): Promise<void>;
  restart(name: string): Promise<void>;
  remove(name: string): Promise<void>;
  get(name: string): Promise<Module>;
  /** Owned modules only, sorted by name. */
  list(): Promise<Module[]>;
  /** Docker's stream (multiplexed stdout/stderr frames unless the container has a TTY). */
  logs(name: string, options: LogOptions): Promise<Readable>;
  systemInfo(): Promise<SystemInfo>;
  systemResources(): Promise<SystemResources>;
  /** Owned containers' events until the signal aborts. */
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent>;
}
