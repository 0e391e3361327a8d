/**
 * The types Docker's create body gives the createOptions fields people write, checked before
 * the engine sees them: a wrong shape (`"Binds": 12`) is a manifest error naming the field, as
 * upstream's agent fails to read it, not a create failure later. Unknown fields pass through to
 * the engine, and `null` means "not set" everywhere, as Docker reads it.
 */
import { DeploymentError } from './errors';
import { isObject } from '../../util/is-object';

type Shape =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'strings'
  | 'string-or-strings'
  | 'integers'
  | 'string-map'
  | 'object'
  | { map: Shape }
  | { list: Shape }
  | { fields: Record<string, Shape> };

const S = 'string';
const B = 'boolean';
const I = 'integer';
const L = 'strings';

const HOST_CONFIG: Record<string, Shape> = {
  Binds: L,
  Mounts: { list: { fields: { Type: S, Source: S, Target: S, ReadOnly: B, Consistency: S, BindOptions: 'object', VolumeOptions: 'object', TmpfsOptions: 'object' } } },
  PortBindings: { map: { list: { fields: { HostIp: S, HostPort: S } } } },
  Devices: { list: { fields: { PathOnHost: S, PathInContainer: S, CgroupPermissions: S } } },
  DeviceRequests: { list: { fields: { Driver: S, Count: I, DeviceIDs: L, Capabilities: { list: L }, Options: 'string-map' } } },
  RestartPolicy: { fields: { Name: S, MaximumRetryCount: I } },
  LogConfig: { fields: { Type: S, Config: 'string-map' } },
  Ulimits: { list: { fields: { Name: S, Soft: I, Hard: I } } },
  Sysctls: 'string-map',
  Tmpfs: 'string-map',
  StorageOpt: 'string-map',
  ConsoleSize: 'integers',
  ...Object.fromEntries(
    ['Privileged', 'PublishAllPorts', 'ReadonlyRootfs', 'AutoRemove', 'Init', 'OomKillDisable'].map((k) => [k, B]),
  ),
  ...Object.fromEntries(
    ['CapAdd', 'CapDrop', 'Dns', 'DnsOptions', 'DnsSearch', 'ExtraHosts', 'GroupAdd', 'SecurityOpt', 'VolumesFrom', 'Links', 'DeviceCgroupRules', 'MaskedPaths', 'ReadonlyPaths'].map((k) => [k, L]),
  ),
  ...Object.fromEntries(
    ['NetworkMode', 'IpcMode', 'PidMode', 'UTSMode', 'UsernsMode', 'CgroupParent', 'Cgroup', 'CgroupnsMode', 'Runtime', 'Isolation', 'VolumeDriver', 'ContainerIDFile', 'CpusetCpus', 'CpusetMems'].map((k) => [k, S]),
  ),
  ...Object.fromEntries(
    ['Memory', 'MemorySwap', 'MemoryReservation', 'MemorySwappiness', 'NanoCpus', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'CpuRealtimePeriod', 'CpuRealtimeRuntime', 'CpuCount', 'CpuPercent', 'KernelMemory', 'PidsLimit', 'BlkioWeight', 'ShmSize', 'OomScoreAdj'].map((k) => [k, I]),
  ),
};

const CREATE_OPTIONS: Record<string, Shape> = {
  ...Object.fromEntries(['Hostname', 'Domainname', 'User', 'WorkingDir', 'StopSignal', 'MacAddress', 'Image'].map((k) => [k, S])),
  ...Object.fromEntries(['AttachStdin', 'AttachStdout', 'AttachStderr', 'Tty', 'OpenStdin', 'StdinOnce', 'NetworkDisabled', 'ArgsEscaped'].map((k) => [k, B])),
  Env: L,
  Cmd: 'string-or-strings',
  Entrypoint: 'string-or-strings',
  Shell: L,
  OnBuild: L,
  Labels: 'string-map',
  ExposedPorts: { map: 'object' },
  Volumes: { map: 'object' },
  StopTimeout: I,
  Healthcheck: { fields: { Test: 'string-or-strings', Interval: I, Timeout: I, StartPeriod: I, StartInterval: I, Retries: I } },
  HostConfig: { fields: HOST_CONFIG },
  NetworkingConfig: { fields: { EndpointsConfig: { map: 'object' } } },
};

export function checkCreateOptionsShape(options: Record<string, unknown>, field: string): void {
  check(options, { fields: CREATE_OPTIONS }, field);
}

function check(value: unknown, shape: Shape, field: string): void {
  if (value === null) return;
  const fail = (expected: string) => {
    throw new DeploymentError(`must be ${expected}, not ${describe(value)}`, { field, hint: "write it as Docker's container create API does (docs.docker.com/engine/api)" });
  };
  if (shape === 'string') return void (typeof value === 'string' || fail('a string'));
  if (shape === 'boolean') return void (typeof value === 'boolean' || fail('true or false'));
  if (shape === 'integer') return void (Number.isInteger(value) || fail('an integer'));
  if (shape === 'strings') return void (isListOf(value, (v) => typeof v === 'string') || fail('a list of strings'));
  if (shape === 'integers') return void (isListOf(value, Number.isInteger) || fail('a list of integers'));
  if (shape === 'string-or-strings') return void (typeof value === 'string' || isListOf(value, (v) => typeof v === 'string') || fail('a string or a list of strings'));
  if (shape === 'object') return void (isObject(value) || fail('an object'));
  if (shape === 'string-map') {
    if (!isObject(value)) fail('an object of strings');
    for (const [k, v] of Object.entries(value as object)) if (typeof v !== 'string') check(v, 'string', `${field}.${k}`);
    return;
  }
  if ('list' in shape) {
    if (!Array.isArray(value)) fail('a list');
    (value as unknown[]).forEach((v, i) => check(v, shape.list, `${field}[${i}]`));
    return;
  }
  if (!isObject(value)) fail('an object');
  const entries = Object.entries(value as object);
  if ('map' in shape) for (const [k, v] of entries) check(v, shape.map, `${field}.${k}`);
  else for (const [k, v] of entries) if (k in shape.fields) check(v, shape.fields[k], `${field}.${k}`);
}

function isListOf(value: unknown, ok: (v: unknown) => boolean): boolean {
  return Array.isArray(value) && value.every(ok);
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? 'a string' : JSON.stringify(value);
}
