/**
 * Reads the super-config. This is the single entry point every process uses; the schema behind
 * it (src/config/schema*) validates every key and fills the defaults.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as TOML from '@iarna/toml';
import { ConfigError } from '../errors';
import type { SuperConfig } from './types';

export interface LoadOptions {
  /** edged's state directory: default socket paths live under it. */
  home: string;
}

export async function loadSuperConfigFile(file: string, options: LoadOptions): Promise<SuperConfig> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the configuration file ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`, {
      hint: 'check that the file exists and is readable',
      cause: e,
    });
  }
  return parseSuperConfig(text, { ...options, source: file });
}

export function parseSuperConfig(text: string, options: LoadOptions & { source?: string }): SuperConfig {
  let raw: Record<string, unknown>;
  try {
    raw = TOML.parse(text) as Record<string, unknown>;
  } catch (e) {
    const err = e as { line?: number; message: string };
    const where = options.source ?? 'config.toml';
    throw new ConfigError(`${where}: not valid TOML at line ${(err.line ?? 0) + 1}`, {
      hint: 'fix the syntax and apply the configuration again',
      cause: e,
    });
  }
  return withDefaults(raw, options);
}

export function defaultEndpoints(home: string) {
  return {
    management_uri: `unix://${path.join(home, 'mgmt.sock')}`,
    workload_uri: `unix://${path.join(home, 'workload.sock')}`,
  };
}

function table(raw: Record<string, unknown>, key: string): Record<string, unknown> {
  const v = raw[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function withDefaults(raw: Record<string, unknown>, options: LoadOptions): SuperConfig {
  const endpoints = defaultEndpoints(options.home);
  const listen = table(raw, 'listen');
  const connect = table(raw, 'connect');
  const moby = table(raw, 'moby_runtime');
  const agent = table(raw, 'agent');
  const agentConfig = table(agent, 'config');
  const gc = table(raw, 'image_garbage_collection');
  const local = table(raw, 'local_deployment');
  const str = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
  return {
    hostname: raw.hostname as string | undefined,
    parent_hostname: raw.parent_hostname as string | undefined,
    trust_bundle_cert: raw.trust_bundle_cert as string | undefined,
    allow_elevated_docker_permissions: raw.allow_elevated_docker_permissions !== false,
    prefer_module_identity_cache: raw.prefer_module_identity_cache === true,
    auto_reprovisioning_mode: (raw.auto_reprovisioning_mode as SuperConfig['auto_reprovisioning_mode']) ?? 'Dynamic',
    cloud_timeout_sec: typeof raw.cloud_timeout_sec === 'number' ? raw.cloud_timeout_sec : 10,
    cloud_retries: typeof raw.cloud_retries === 'number' ? raw.cloud_retries : 1,
    provisioning: raw.provisioning as SuperConfig['provisioning'],
    agent: {
      name: str(agent.name, 'edgeAgent'),
      type: 'docker',
      imagePullPolicy: (agent.imagePullPolicy as 'on-create' | 'never') ?? 'on-create',
      config: {
        image: str(agentConfig.image, 'mcr.microsoft.com/azureiotedge-agent:1.5'),
        createOptions: table(agentConfig, 'createOptions'),
        auth: agentConfig.auth as AgentAuth | undefined,
      },
      env: table(agent, 'env') as Record<string, string>,
    },
    connect: {
      management_uri: str(connect.management_uri, endpoints.management_uri),
      workload_uri: str(connect.workload_uri, endpoints.workload_uri),
    },
    listen: {
      management_uri: str(listen.management_uri, endpoints.management_uri),
      workload_uri: str(listen.workload_uri, endpoints.workload_uri),
      min_tls_version: listen.min_tls_version as string | undefined,
    },
    watchdog: { max_retries: (table(raw, 'watchdog').max_retries as number | 'infinite') ?? 'infinite' },
    moby_runtime: {
      uri: str(moby.uri, 'unix:///var/run/docker.sock'),
      network: typeof moby.network === 'string' ? moby.network : str(table(moby, 'network').name, 'azure-iot-edge'),
    },
    edge_ca: raw.edge_ca as SuperConfig['edge_ca'],
    image_garbage_collection: {
      enabled: gc.enabled !== false,
      cleanup_recurrence: str(gc.cleanup_recurrence, '1d'),
      image_age_cleanup_threshold: str(gc.image_age_cleanup_threshold, '7d'),
      cleanup_time: str(gc.cleanup_time, '00:00'),
    },
    local_deployment: typeof local.file === 'string' ? { file: local.file } : undefined,
    raw,
  };
}

type AgentAuth = { serveraddress?: string; username?: string; password?: string };
