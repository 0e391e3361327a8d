/**
 * The container create body for a module, as a pure function: the deployment's createOptions
 * (HostConfig under one key, privileges restricted when the config says so) with the image, the
 * merged environment, the ownership labels and the module network.
 */
import { ModuleSpec, OWNER_LABEL, OWNER_VALUE, ORIGINAL_IMAGE_LABEL } from '../types';
import { canonicalHostConfig, restrictPrivileges } from './privileges';

/** Docker's create body; only the fields we touch are typed. */
export interface ContainerCreateBody {
  Image?: string;
  Env?: string[];
  Labels?: Record<string, string>;
  HostConfig?: { NetworkMode?: string; [key: string]: unknown };
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown>; [key: string]: unknown };
  [key: string]: unknown;
}

/** Parses Docker's `NAME=value` list; a bare `NAME` means an empty value. Later entries win. */
export function parseEnv(list: readonly string[] | null | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of list ?? []) {
    const eq = entry.indexOf('=');
    if (eq === 0) continue;
    if (eq < 0) env[entry] = '';
    else env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The deployment's env first, then createOptions.Env on top: createOptions wins for the same name (as upstream). */
export function mergeEnv(specEnv: Record<string, string>, createOptionsEnv: readonly string[] | null | undefined): string[] {
  const merged: Record<string, string> = { ...specEnv, ...parseEnv(createOptionsEnv) };
  return Object.keys(merged)
    .sort()
    .map((k) => `${k}=${merged[k]}`);
}

export interface CreateBodyOptions {
  /** `allow_elevated_docker_permissions` from config.toml; upstream's default is true. */
  allowElevatedDockerPermissions?: boolean;
  /** Told when privileges the deployment asked for are removed. */
  onPrivilegesRemoved?: (message: string) => void;
}

export function buildCreateBody(spec: ModuleSpec, network: string, opts: CreateBodyOptions = {}): ContainerCreateBody {
  const given = canonicalHostConfig(spec.config.createOptions ?? {});
  const options = (opts.allowElevatedDockerPermissions === false ? restrictPrivileges(given, opts.onPrivilegesRemoved) : given) as ContainerCreateBody;
  const body: ContainerCreateBody = {
    ...options,
    Image: spec.config.image,
    Env: mergeEnv(spec.env ?? {}, Array.isArray(options.Env) ? options.Env : undefined),
    Labels: {
      ...(options.Labels ?? {}),
      [OWNER_LABEL]: OWNER_VALUE,
      [ORIGINAL_IMAGE_LABEL]: spec.config.image,
    },
  };
  const hostConfig: ContainerCreateBody['HostConfig'] & object = { ...(options.HostConfig ?? {}) };
  if (!hostConfig.NetworkMode) hostConfig.NetworkMode = network;
  body.HostConfig = hostConfig;
  // Join the module network by default; createOptions that name their own network keep it.
  if (hostConfig.NetworkMode === network && !options.NetworkingConfig?.EndpointsConfig) {
    body.NetworkingConfig = { ...(options.NetworkingConfig ?? {}), EndpointsConfig: { [network]: {} } };
  }
  return body;
}
