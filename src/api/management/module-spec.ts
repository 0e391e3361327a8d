/**
 * The management API's ModuleSpec body, checked field by field and turned into the runtime's
 * ModuleSpec. Each failure is a 400 naming the field and what is expected.
 */
import { BadRequestError } from '../../errors';
import type { DockerConfig, ImagePullPolicy, ModuleSpec } from '../../runtime/types';
import { checkModuleName } from '../../runtime/module-name';
import { isObject } from '../../util/is-object';

function fail(message: string, hint?: string): never {
  throw new BadRequestError(message, { hint });
}

export function parseModuleSpec(body: unknown): ModuleSpec {
  if (body === undefined) fail('missing request body', 'send a ModuleSpec as JSON');
  if (!isObject(body)) fail('the request body must be a JSON object (a ModuleSpec)');
  if (typeof body.name !== 'string' || body.name.trim() === '') fail('module spec: "name" must be a non-empty string');
  const name = checkModuleName(body.name, 'module spec name');
  if (body.type !== 'docker') {
    fail(`module ${name}: unsupported type ${JSON.stringify(body.type)}`, 'the only module type is "docker"');
  }
  return {
    name,
    type: 'docker',
    config: dockerConfig(name, body.config),
    env: envOf(name, isObject(body.config) ? body.config.env : undefined),
    imagePullPolicy: pullPolicy(name, body.imagePullPolicy),
  };
}

function dockerConfig(name: string, config: unknown): DockerConfig {
  if (!isObject(config)) fail(`module ${name}: "config" must be an object with "settings"`);
  const settings = config.settings;
  if (!isObject(settings)) fail(`module ${name}: "config.settings" must be an object with "image"`);
  const image = settings.image;
  if (typeof image !== 'string' || image.trim() === '') {
    fail(`module ${name}: "config.settings.image" must be a non-empty string`);
  }
  const result: DockerConfig = { image, createOptions: createOptions(name, settings.createOptions) };
  if (settings.digest !== undefined) {
    if (typeof settings.digest !== 'string') fail(`module ${name}: "config.settings.digest" must be a string`);
    result.digest = settings.digest;
  }
  if (settings.auth !== undefined) {
    if (!isObject(settings.auth)) fail(`module ${name}: "config.settings.auth" must be an object`);
    result.auth = settings.auth;
  }
  return result;
}

/** An object, as edgeAgent sends it; a JSON string is accepted too, as deployments write it. */
function createOptions(name: string, value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value === 'string') {
    if (value.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (e) {
      fail(`module ${name}: "config.settings.createOptions" is not valid JSON: ${(e as Error).message}`);
    }
    value = parsed;
  }
  if (!isObject(value)) fail(`module ${name}: "config.settings.createOptions" must be an object`);
  return value;
}

function envOf(name: string, env: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (env === undefined || env === null) return result;
  if (!Array.isArray(env)) fail(`module ${name}: "config.env" must be an array of {key, value}`);
  env.forEach((item, i) => {
    if (!isObject(item) || typeof item.key !== 'string' || item.key === '' || typeof item.value !== 'string') {
      fail(`module ${name}: "config.env[${i}]" must be {"key": string, "value": string}`);
    }
    if (item.key in result) fail(`module ${name}: duplicate env var key: ${item.key}`);
    result[item.key] = item.value;
  });
  return result;
}

/** Upstream compares case-insensitively: "On-Create" and "on-create" are the same policy. */
function pullPolicy(name: string, value: unknown): ImagePullPolicy {
  if (value === undefined || value === null) return 'on-create';
  const v = typeof value === 'string' ? value.toLowerCase() : undefined;
  if (v === 'on-create' || v === 'never') return v;
  return fail(`module ${name}: invalid imagePullPolicy ${JSON.stringify(value)}`, 'use "On-Create" or "Never"');
}
