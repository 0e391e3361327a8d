/**
 * The typed view of a validated document: defaults filled from the schema's nodes, upstream's key names
 * kept. Only called after validation, so shapes can be trusted here.
 */
import * as path from 'node:path';
import type { TomlTable } from './merge';
import { parseDeviceConnectionString } from './connection-string';
import { parseGcSettings } from './image-gc';
import { defaultAt } from './schema/lookup';
import type { AgentSettings, Endpoints, LocalDeploymentSection, ManualConnectionString, Provisioning, SuperConfig } from './types';

export function defaultEndpoints(home: string): Endpoints {
  return {
    management_uri: `unix://${path.join(home, 'mgmt.sock')}`,
    workload_uri: `unix://${path.join(home, 'workload.sock')}`,
  };
}

function table(raw: TomlTable | undefined, key: string): TomlTable {
  const v = raw?.[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as TomlTable) : {};
}
const str = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
const num = (v: unknown, d: number) => (typeof v === 'number' ? v : d);
const flag = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);
const opt = (v: unknown) => (typeof v === 'string' ? v : undefined);

export function toSuperConfig(raw: TomlTable, home: string): SuperConfig {
  const endpoints = defaultEndpoints(home);
  const listen = table(raw, 'listen');
  const connect = table(raw, 'connect');
  const gc = table(raw, 'image_garbage_collection');
  const local = table(raw, 'local_deployment');
  const maxRequests = table(raw, 'iotedge_max_requests');
  const watchdog = table(raw, 'watchdog');
  return {
    hostname: opt(raw.hostname),
    parent_hostname: opt(raw.parent_hostname) ?? opt(raw.local_gateway_hostname),
    trust_bundle_cert: opt(raw.trust_bundle_cert),
    manifest_trust_bundle_cert: opt(raw.manifest_trust_bundle_cert),
    imported_master_encryption_key: opt(raw.imported_master_encryption_key),
    allow_elevated_docker_permissions: flag(raw.allow_elevated_docker_permissions, defaultAt(['allow_elevated_docker_permissions'])),
    prefer_module_identity_cache: flag(raw.prefer_module_identity_cache, defaultAt(['prefer_module_identity_cache'])),
    auto_reprovisioning_mode: reprovisioningMode(raw),
    cloud_timeout_sec: num(raw.cloud_timeout_sec, defaultAt(['cloud_timeout_sec'])),
    cloud_retries: num(raw.cloud_retries, defaultAt(['cloud_retries'])),
    iotedge_max_requests: {
      management: num(maxRequests.management, defaultAt(['iotedge_max_requests', 'management'])),
      workload: num(maxRequests.workload, defaultAt(['iotedge_max_requests', 'workload'])),
    },
    provisioning: provisioning(raw.provisioning as TomlTable | undefined),
    agent: agent(table(raw, 'agent')),
    connect: { management_uri: opt(connect.management_uri), workload_uri: opt(connect.workload_uri) },
    listen: {
      management_uri: str(listen.management_uri, endpoints.management_uri),
      workload_uri: str(listen.workload_uri, endpoints.workload_uri),
      min_tls_version: opt(listen.min_tls_version),
    },
    watchdog: { max_retries: typeof watchdog.max_retries === 'number' ? watchdog.max_retries : defaultAt(['watchdog', 'max_retries']) },
    moby_runtime: mobyRuntime(table(raw, 'moby_runtime')),
    edge_ca: raw.edge_ca === undefined ? undefined : (raw.edge_ca as SuperConfig['edge_ca']),
    image_garbage_collection: parseGcSettings(gc),
    local_deployment: typeof local.file === 'string' ? { ...(local as Omit<LocalDeploymentSection, 'file'>), file: local.file } : undefined,
  };
}

/** auto_reprovisioning_mode, or what a 1.2-era file said with its provisioning flags. */
function reprovisioningMode(raw: TomlTable): SuperConfig['auto_reprovisioning_mode'] {
  const mode = opt(raw.auto_reprovisioning_mode) as SuperConfig['auto_reprovisioning_mode'] | undefined;
  if (mode) return mode;
  const p = table(raw, 'provisioning');
  if (p.dynamic_reprovisioning === undefined && p.always_reprovision_on_startup === undefined) return defaultAt(['auto_reprovisioning_mode']);
  return p.dynamic_reprovisioning === true ? 'Dynamic' : p.always_reprovision_on_startup === true ? 'AlwaysOnStartup' : 'OnErrorOnly';
}

function provisioning(p: TomlTable | undefined): Provisioning | undefined {
  if (!p || p.source === 'none') return undefined;
  // Validation has checked the shape per source/method (and the connection string); unsupported variants never get here.
  if (typeof p.connection_string === 'string') {
    const parsed = parseDeviceConnectionString(p.connection_string);
    if (parsed.ok) return { ...(p as unknown as ManualConnectionString), connection: parsed.value };
  }
  return p as unknown as Provisioning;
}

function agent(a: TomlTable): AgentSettings {
  const config = table(a, 'config');
  const auth = table(config, 'auth');
  return {
    name: str(a.name, defaultAt(['agent', 'name'])),
    type: 'docker',
    imagePullPolicy: (opt(a.imagePullPolicy) ?? defaultAt(['agent', 'imagePullPolicy'])) as AgentSettings['imagePullPolicy'],
    config: {
      image: str(config.image, defaultAt(['agent', 'config', 'image'])),
      createOptions: table(config, 'createOptions'),
      auth: Object.keys(auth).length ? (auth) : undefined,
    },
    env: table(a, 'env') as Record<string, string>,
  };
}

function mobyRuntime(m: TomlTable): SuperConfig['moby_runtime'] {
  const network = m.network;
  const base = { uri: str(m.uri, defaultAt(['moby_runtime', 'uri'])), content_trust: m.content_trust };
  if (network && typeof network === 'object') {
    const { name, ...options } = network as TomlTable;
    return { ...base, network: str(name, defaultAt(['moby_runtime', 'network'])), network_options: options };
  }
  return { ...base, network: str(network, defaultAt(['moby_runtime', 'network'])) };
}
