/**
 * Parses and validates a deployment manifest into a typed Deployment. Every rejection names the
 * module and the field, so a person can fix the file; nothing here touches the engine.
 */
import type { RegistryAuth } from '../../runtime/types';
import {
  DEFAULT_STARTUP_ORDER,
  Deployment,
  DeploymentStatusCode,
  DesiredModule,
  RegistryCredential,
  RestartPolicy,
} from '../types';
import { joinCreateOptions } from './create-options';
import { DeploymentError } from './errors';
import { canonicalHost, normalizeImage, registryHost } from './image';
import { parseJson, unwrap } from './unwrap';
import { isObject } from '../../util/is-object';
import { moduleNameProblem, quoteName } from '../../runtime/module-name';

const RESTART_POLICIES: readonly RestartPolicy[] = ['never', 'on-failure', 'on-unhealthy', 'always'];
const STATUSES = ['running', 'stopped'] as const;
const PULL_POLICIES = ['on-create', 'never'] as const;
const SCHEMA_VERSION = /^1\.[01](\.\d+)?$/;

type Obj = Record<string, unknown>;

export function parseDeploymentText(text: string): Deployment {
  return parseDeployment(parseJson(text));
}

export function parseDeployment(doc: unknown): Deployment {
  const { desired, version } = unwrap(doc);
  const schemaVersion = desired.schemaVersion;
  if (typeof schemaVersion !== 'string' || !SCHEMA_VERSION.test(schemaVersion)) {
    throw new DeploymentError(`${JSON.stringify(schemaVersion ?? null)} is not supported (expected "1.0" or "1.1")`, {
      field: 'schemaVersion',
      code: DeploymentStatusCode.invalidSchemaVersion,
    });
  }
  const registryCredentials = parseRuntime(desired.runtime);
  const modules: DesiredModule[] = [];
  const system = optionalObject(desired.systemModules, 'systemModules');
  let edgeAgentImage: string | undefined;
  if (system.edgeAgent !== undefined) {
    const agent = requireObject(system.edgeAgent, 'systemModules.edgeAgent');
    const settings = requireObject(agent.settings, 'systemModules.edgeAgent.settings');
    if (typeof settings.image === 'string' && settings.image.trim()) edgeAgentImage = settings.image.trim();
  }
  for (const key of Object.keys(system)) {
    if (key !== 'edgeAgent' && key !== 'edgeHub') {
      throw new DeploymentError('unknown system module (only edgeAgent and edgeHub are)', { field: `systemModules.${key}`, hint: 'move it under "modules"' });
    }
  }
  if (system.edgeHub !== undefined) modules.push(parseModule('edgeHub', system.edgeHub, 'systemModules.edgeHub', true, registryCredentials));
  for (const [name, value] of Object.entries(optionalObject(desired.modules, 'modules'))) {
    const field = `modules.${name}`;
    const problem = moduleNameProblem(name);
    if (problem) throw new DeploymentError(`is not a valid module name: it ${problem}`, { field: `modules.${/^[\x21-\x7e]{1,40}$/.test(name) ? name : quoteName(name)}` });
    if (name === 'edgeAgent' || name === 'edgeHub') throw new DeploymentError(`${name} is a system module`, { field, hint: 'declare it under systemModules' });
    modules.push(parseModule(name, value, field, false, registryCredentials));
  }
  return { schemaVersion, version, modules, registryCredentials, edgeAgentImage };
}

function parseRuntime(runtime: unknown): RegistryCredential[] {
  if (runtime === undefined) return [];
  const r = requireObject(runtime, 'runtime');
  if (r.type !== undefined && r.type !== 'docker') throw new DeploymentError(`"${String(r.type)}" is not supported (only "docker")`, { field: 'runtime.type' });
  const settings = optionalObject(r.settings, 'runtime.settings');
  const creds = optionalObject(settings.registryCredentials, 'runtime.settings.registryCredentials');
  return Object.entries(creds).map(([name, value]) => {
    const field = `runtime.settings.registryCredentials.${name}`;
    const c = requireObject(value, field);
    for (const key of ['address', 'username', 'password'] as const) {
      if (typeof c[key] !== 'string' || !(c[key]).trim()) throw new DeploymentError('is missing or empty', { field: `${field}.${key}` });
    }
    return { name, address: c.address as string, username: c.username as string, password: c.password as string };
  });
}

function parseModule(name: string, value: unknown, field: string, system: boolean, credentials: RegistryCredential[]): DesiredModule {
  const m = requireObject(value, field);
  const type = m.type ?? 'docker';
  if (type !== 'docker') throw new DeploymentError(`"${String(type)}" is not supported (only "docker")`, { field: `${field}.type` });
  const version = m.version === undefined ? '' : m.version;
  if (typeof version !== 'string') throw new DeploymentError('must be a string', { field: `${field}.version` });
  const settings = requireObject(m.settings, `${field}.settings`);
  if (typeof settings.image !== 'string') throw new DeploymentError('is missing', { field: `${field}.settings.image`, hint: 'every module needs an image' });
  const image = normalizeImage(settings.image, `${field}.settings.image`);
  return {
    name,
    system,
    version,
    type: 'docker',
    status: oneOf(m.status, STATUSES, 'running', `${field}.status`),
    restartPolicy: oneOf(m.restartPolicy, RESTART_POLICIES, system ? 'always' : 'on-unhealthy', `${field}.restartPolicy`),
    imagePullPolicy: oneOf(m.imagePullPolicy, PULL_POLICIES, 'on-create', `${field}.imagePullPolicy`),
    startupOrder: startupOrder(m.startupOrder, `${field}.startupOrder`),
    image,
    createOptions: joinCreateOptions(settings, `${field}.settings`),
    env: parseEnvSection(m.env, `${field}.env`),
    auth: authFor(image, credentials),
  };
}

function authFor(image: string, credentials: RegistryCredential[]): RegistryAuth | undefined {
  const host = registryHost(image);
  const c = credentials.find((cred) => canonicalHost(cred.address) === host);
  // The engine is given the host it pulls from, however the address was written (scheme, path).
  const serveraddress = host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
  return c ? { username: c.username, password: c.password, serveraddress } : undefined;
}

function parseEnvSection(value: unknown, field: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, entry] of Object.entries(optionalObject(value, field))) {
    if (!key || key.includes('=')) throw new DeploymentError('is not a valid variable name', { field: `${field}.${key}` });
    const e = requireObject(entry, `${field}.${key}`, 'must be an object like {"value": "..."}');
    const v = e.value;
    if (v === undefined || v === null) env[key] = '';
    else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') env[key] = String(v);
    else throw new DeploymentError('must be a string, number or boolean', { field: `${field}.${key}.value` });
  }
  return env;
}

function startupOrder(value: unknown, field: string): number {
  if (value === undefined || value === null) return DEFAULT_STARTUP_ORDER;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > DEFAULT_STARTUP_ORDER) {
    throw new DeploymentError(`${JSON.stringify(value)} is not an integer between 0 and ${DEFAULT_STARTUP_ORDER}`, { field });
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], fallback: T, field: string): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new DeploymentError(`${JSON.stringify(value)} is not one of ${allowed.join(', ')}`, { field });
}

function requireObject(value: unknown, field: string, message = 'must be an object'): Obj {
  if (!isObject(value)) throw new DeploymentError(value === undefined ? 'is missing' : message, { field });
  return value;
}

function optionalObject(value: unknown, field: string): Obj {
  if (value === undefined || value === null) return {};
  return requireObject(value, field);
}
