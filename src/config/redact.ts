/**
 * Secrets out of configuration text, for support bundles: every value the schema marks secret,
 * any value under a key whose name says secret (for keys the schema does not know, agent env,
 * createOptions Env), anything that looks like a connection string, and PKCS#11 PINs. A file that
 * does not parse is withheld whole: its secrets cannot be found reliably.
 */
import * as TOML from '@iarna/toml';
import { superConfigSchema } from './schema/super-config';
import type { Node } from './schema/types';
import { toToml } from './serialize';

export const REDACTED = '<redacted>';
const SECRET_NAME = /pass(word)?|secret|token|connection_?string|shared_?access|sas_?key|symmetric_?key|private_?key|^pin$|credential|apikey|api_key|_pk$/i;

export function redactValue(value: string): string {
  if (/SharedAccessKey\s*=|SharedAccessSignature/i.test(value)) return REDACTED;
  return value.replace(/(pin-value=)[^;&?]*/gi, `$1${REDACTED}`);
}

function redactAny(v: unknown, secret: boolean): unknown {
  if (typeof v === 'string') return secret ? REDACTED : redactValue(v);
  if (Array.isArray(v)) return v.map((x) => redactAny(x, secret));
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactAny(x, secret || SECRET_NAME.test(k))]));
  }
  return secret && v !== undefined ? REDACTED : v;
}

/** `KEY=value` entries (docker Env) with a secret-sounding KEY keep the KEY only. */
function redactEnvEntries(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((e) => (typeof e === 'string' && SECRET_NAME.test(e.split('=')[0]) ? `${e.split('=')[0]}=${REDACTED}` : redactAny(e, false)));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'Env' ? redactEnvEntries(x) : redactEnvEntries(x)]));
  return typeof v === 'string' ? redactValue(v) : v;
}

function childNode(node: Node | undefined, key: string, value: Record<string, unknown>): Node | undefined {
  if (!node) return undefined;
  if (node.type === 'table') {
    const tagged = node.tag && typeof value[node.tag.key] === 'string' ? node.tag.variants[value[node.tag.key] as string]?.fields[key] : undefined;
    return node.fields[key] ?? tagged;
  }
  if (node.type === 'map') return node.values;
  if (node.type === 'either') return node.options.find((o) => o.type === 'table' || o.type === 'map');
  return undefined;
}

export function redactDoc(doc: Record<string, unknown>, node: Node | undefined = superConfigSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    const child = childNode(node, key, doc);
    const secret = child?.secret === true || (!child && SECRET_NAME.test(key)) || (node?.type === 'map' && SECRET_NAME.test(key));
    if (secret) out[key] = redactAny(value, true);
    else if (key === 'createOptions') out[key] = redactEnvEntries(value);
    else if (value && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date)) {
      out[key] = redactDoc(value as Record<string, unknown>, child?.type === 'either' ? childNode(child, key, doc) : child);
    } else out[key] = redactAny(value, false);
  }
  return out;
}

export function redactConfigText(text: string, file: string): string {
  let doc: Record<string, unknown>;
  try {
    doc = TOML.parse(text);
  } catch (e) {
    return `# ${file} is not valid TOML (line ${((e as { line?: number }).line ?? 0) + 1}): its content is withheld so no secret leaks.\n`;
  }
  return toToml(redactDoc(doc), `${file}, secrets redacted by \`iotedge support-bundle\`.`);
}
