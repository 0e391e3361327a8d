/**
 * What of a desired module lives in its container: a normalized spec, stored as a label with its
 * hash, so that after a restart (edged's or dockerd's) the agent can tell an unchanged module from
 * a changed one without trusting anything but the container itself.
 */
import { createHash } from 'node:crypto';
import type { ModuleSpec } from '../runtime/types';
import type { DesiredModule } from './types';

export const SPEC_LABEL = 'net.azure-devices.edge.agent.spec';
export const SPEC_HASH_LABEL = 'net.azure-devices.edge.agent.spec-hash';
export const VERSION_LABEL = 'net.azure-devices.edge.version';

/** The fields whose change means "recreate the container". Status, restart policy and order do not. */
export interface StoredSpec {
  version: string;
  image: string;
  createOptions: Record<string, unknown>;
  env: Record<string, string>;
}

export function storedSpecOf(m: DesiredModule): StoredSpec {
  return { version: m.version, image: m.image, createOptions: m.createOptions, env: m.env };
}

/** JSON with object keys sorted at every depth: equal specs give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

export function specHash(spec: StoredSpec): string {
  return createHash('sha256').update(canonicalJson(spec)).digest('hex').slice(0, 16);
}

/** The runtime's create request: the user's createOptions plus our labels (the runtime adds the owner labels). */
export function moduleSpecOf(m: DesiredModule): ModuleSpec {
  const stored = storedSpecOf(m);
  const userLabels = (m.createOptions.Labels ?? {}) as Record<string, string>;
  return {
    name: m.name,
    type: 'docker',
    imagePullPolicy: m.imagePullPolicy,
    env: m.env,
    config: {
      image: m.image,
      auth: m.auth,
      createOptions: {
        ...m.createOptions,
        Labels: {
          ...userLabels,
          [SPEC_LABEL]: canonicalJson(stored),
          [SPEC_HASH_LABEL]: specHash(stored),
          [VERSION_LABEL]: m.version,
        },
      },
    },
  };
}

export function readStoredSpec(labels: Record<string, string>): { hash?: string; spec?: StoredSpec } {
  const hash = labels[SPEC_HASH_LABEL];
  let spec: StoredSpec | undefined;
  try {
    spec = labels[SPEC_LABEL] ? (JSON.parse(labels[SPEC_LABEL]) as StoredSpec) : undefined;
  } catch {
    spec = undefined;
  }
  return { hash, spec };
}

/** Which fields differ, in the deployment's words, for the log line that explains a recreate. */
export function changedFields(before: StoredSpec | undefined, after: StoredSpec): string[] {
  if (!before) return ['the container was not created from a deployment (no spec label)'];
  const changes: string[] = [];
  if (before.version !== after.version) changes.push(`version ("${before.version}" -> "${after.version}")`);
  if (before.image !== after.image) changes.push(`settings.image (${before.image} -> ${after.image})`);
  for (const key of unionKeys(before.createOptions, after.createOptions)) {
    if (canonicalJson(before.createOptions?.[key]) !== canonicalJson(after.createOptions?.[key])) changes.push(`settings.createOptions.${key}`);
  }
  for (const key of unionKeys(before.env, after.env)) {
    // Values are not logged: env may hold secrets.
    if (before.env?.[key] !== after.env?.[key]) changes.push(`env.${key}`);
  }
  return changes.length ? changes : ['the stored spec differs'];
}

function unionKeys(a: object | undefined, b: object | undefined): string[] {
  return [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].sort();
}
