/**
 * Swagger 2.0 files (upstream's edged-api/*.yaml) as ajv validators, for contract tests of any
 * of edged's APIs:
 *
 *   const spec = loadSpec('managementVersion_2022_08_03.yaml');
 *   expect(validateResponse(spec, 'GET', '/modules/{name}', 200, body)).toEqual([]);
 *
 * Swagger definitions are close to JSON Schema draft-04; what differs is handled here:
 * `$ref: '#/definitions/X'` is resolved inside the spec's own schema document, `example` and
 * `x-*` keys are dropped, and `format` (date-time, int64...) is checked with ajv-formats.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as yaml from 'js-yaml';

export const CONTRACTS_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'contracts', 'edged-api');

interface SwaggerOperation {
  responses: Record<string, { description?: string; schema?: unknown }>;
  parameters?: unknown[];
}

export interface Spec {
  file: string;
  version: string;
  paths: Record<string, Record<string, SwaggerOperation>>;
  definitions: Record<string, unknown>;
  ajv: Ajv;
  schemaId: string;
  cache: Map<string, ValidateFunction>;
}

export type HttpMethodName = 'GET' | 'POST' | 'PUT' | 'DELETE';

const METHODS = new Set(['get', 'post', 'put', 'delete', 'patch', 'head', 'options']);

/** `file`: a name in ../shared/contracts/edged-api/ or an absolute path. */
export function loadSpec(file: string): Spec {
  const full = path.isAbsolute(file) ? file : path.join(CONTRACTS_DIR, file);
  const doc = yaml.load(readFileSync(full, 'utf8')) as {
    info: { version: string };
    paths: Spec['paths'];
    definitions?: Record<string, unknown>;
  };
  const definitions = toJsonSchema(doc.definitions ?? {}) as Record<string, unknown>;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  // Swagger's integer formats; ajv-formats validates int32/int64 ranges when asked, we only need the names.
  const schemaId = `spec:${path.basename(full)}`;
  ajv.addSchema({ $id: schemaId, definitions });
  return { file: full, version: doc.info.version, paths: doc.paths, definitions, ajv, schemaId, cache: new Map() };
}

/** Swagger → JSON Schema: drops examples and vendor keys, and fixes upstream's odd spots. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === 'example' || k.startsWith('x-')) continue;
    // Upstream's SystemInfo says `provisioning: {type: '#/definitions/Provisioning'}`, a $ref
    // written in the wrong key. We read it as the $ref it means.
    if (k === 'type' && typeof v === 'string' && v.startsWith('#/definitions/')) {
      out.$ref = v;
      continue;
    }
    out[k] = toJsonSchema(v);
  }
  // A $ref into the definitions must resolve inside this spec's own schema document.
  return out;
}

/** Every [method, path-template] of the spec. */
export function specRoutes(spec: Spec): [HttpMethodName, string][] {
  const routes: [HttpMethodName, string][] = [];
  for (const [p, ops] of Object.entries(spec.paths)) {
    for (const m of Object.keys(ops)) if (METHODS.has(m)) routes.push([m.toUpperCase() as HttpMethodName, p]);
  }
  return routes;
}

/** The spec's path template that a concrete path (`/modules/edgeHub/logs`) falls under. */
export function specPathFor(spec: Spec, concrete: string): string | undefined {
  const parts = concrete.split('?')[0].split('/');
  return Object.keys(spec.paths).find((t) => {
    const tp = t.split('/');
    return tp.length === parts.length && tp.every((s, i) => /^\{.+\}$/.test(s) ? parts[i] !== '' : s === parts[i]);
  });
}

/**
 * Checks a response against the spec: the status must be documented (or covered by `default`),
 * and a body must match that response's schema. Answers the problems found; [] when it conforms.
 */
export function validateResponse(
  spec: Spec,
  method: string,
  pathTemplate: string,
  status: number,
  body: unknown,
): string[] {
  const op = spec.paths[pathTemplate]?.[method.toLowerCase()];
  const where = `${method.toUpperCase()} ${pathTemplate} (${spec.version})`;
  if (!op) return [`${where}: no such operation in ${path.basename(spec.file)}`];
  const key = String(status) in op.responses ? String(status) : 'default';
  const response = op.responses[key];
  if (!response) return [`${where}: status ${status} is not documented`];
  if (!response.schema) return [];
  if (body === undefined) return [`${where}: status ${status} needs a body matching its schema`];
  const cacheKey = `${method} ${pathTemplate} ${key}`;
  let validate = spec.cache.get(cacheKey);
  if (!validate) {
    const schema = rebase(toJsonSchema(response.schema), spec.schemaId);
    validate = spec.ajv.compile(schema as object);
    spec.cache.set(cacheKey, validate);
  }
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${where} ${status}: ${e.instancePath || '/'} ${e.message}`);
}

/** `#/definitions/X` in a response schema points into the spec document registered under `id`. */
function rebase(node: unknown, id: string): unknown {
  if (Array.isArray(node)) return node.map((n) => rebase(n, id));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? `${id}${v}` : rebase(v, id);
  }
  return out;
}
