/**
 * The super-config (`config.toml`, upstream's format) as typed inside the appliance, after
 * validation and defaults. Keys keep upstream's TOML names so that a reader can map them 1:1.
 */
import type { DeviceConnectionString } from './connection-string';
import type { GcSettings } from './image-gc';

export type SecretRef = { value: string } | { uri: string };

export interface ManualConnectionString {
  source: 'manual';
  connection_string: string;
  /** `connection_string` parsed, once, where the schema checked it: consumers read this. */
  connection: DeviceConnectionString;
}
export interface ManualSas {
  source: 'manual';
  iothub_hostname: string;
  device_id: string;
  authentication: { method: 'sas'; device_id_pk: SecretRef };
}
export interface ManualX509 {
  source: 'manual';
  iothub_hostname: string;
  device_id: string;
  authentication: { method: 'x509'; identity_cert: string; identity_pk: string };
}
export interface DpsProvisioning {
  source: 'dps';
  global_endpoint: string;
  id_scope: string;
  payload?: { uri: string };
  attestation:
    | { method: 'symmetric_key'; registration_id: string; symmetric_key: SecretRef; group_key?: boolean }
    | { method: 'x509'; registration_id?: string; identity_cert: string; identity_pk: string };
}
export type Provisioning = ManualConnectionString | ManualSas | ManualX509 | DpsProvisioning;

export interface AgentSettings {
  name: string;
  type: 'docker';
  imagePullPolicy: 'on-create' | 'never';
  config: {
    image: string;
    createOptions: Record<string, unknown>;
    auth?: { serveraddress?: string; username?: string; password?: string };
  };
  env: Record<string, string>;
}

export interface Endpoints {
  workload_uri: string;
  management_uri: string;
}

export interface SuperConfig {
  hostname?: string;
  parent_hostname?: string;
  trust_bundle_cert?: string;
  allow_elevated_docker_permissions: boolean;
  prefer_module_identity_cache: boolean;
  auto_reprovisioning_mode: 'Dynamic' | 'AlwaysOnStartup' | 'OnErrorOnly';
  cloud_timeout_sec: number;
  cloud_retries: number;
  provisioning?: Provisioning;
  agent: AgentSettings;
  /** As given: edgeAgent's view of the sockets (unset: where edged listens, see `listen`). */
  connect: Partial<Endpoints>;
  listen: Endpoints & { min_tls_version?: string };
  watchdog: { max_retries: number | 'infinite' };
  moby_runtime: {
    uri: string;
    network: string;
    /** When `network` was given as a table: the settings of the network edged creates. */
    network_options?: { ipv6?: boolean; ipam?: { config?: Array<{ gateway?: string; subnet?: string; ip_range?: string }> } };
    content_trust?: unknown;
  };
  /** Absent: upstream's default, a quickstart Edge CA of 90 days. */
  edge_ca?: {
    cert?: string;
    pk?: string;
    auto_generated_edge_ca_expiry_days?: number;
    auto_renew?: Record<string, unknown>;
    subject?: Record<string, string>;
  };
  /** Parsed: durations in milliseconds, the cleanup time in minutes after midnight. */
  image_garbage_collection: GcSettings;
  manifest_trust_bundle_cert?: string;
  /** Set by `iotedge config import`: path of the 1.1 master encryption key to keep using. */
  imported_master_encryption_key?: string;
  iotedge_max_requests: { management: number; workload: number };
  /** This appliance's own section: run a deployment from a file, with no edgeAgent and no cloud. */
  local_deployment?: LocalDeploymentSection;
}

/** `[local_deployment]` as validated by the schema; unset keys keep the agent's (upstream's) defaults. */
export interface LocalDeploymentSection {
  file: string;
  restart_cool_off_secs?: number;
  restart_max_cool_off_secs?: number;
  restart_max_count?: number;
  restart_reset_after_secs?: number;
  debounce_ms?: number;
}
