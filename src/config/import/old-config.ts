/**
 * The IoT Edge 1.1 `config.yaml`, read as upstream's `iotedge config import` reads it: the file is
 * laid over upstream's defaults (maps merged key by key), then checked. Errors name the key and
 * never contain a value from the file (the file holds keys and connection strings).
 */
import * as yaml from 'js-yaml';
import { ConfigError } from '../../errors';
import { decodeBase64Key } from '../../util/base64';
import { mergeToml } from '../merge';

export const OLD_DEFAULTS = {
  provisioning: { source: 'manual' },
  agent: { name: 'edgeAgent', type: 'docker', env: {}, config: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5', auth: {} } },
  hostname: 'localhost',
  connect: { management_uri: 'unix:///var/run/iotedge/mgmt.sock', workload_uri: 'unix:///var/run/iotedge/workload.sock' },
  listen: { management_uri: 'unix:///var/run/iotedge/mgmt.sock', workload_uri: 'unix:///var/run/iotedge/workload.sock' },
  homedir: '/var/lib/iotedge',
  moby_runtime: { uri: 'unix:///var/run/docker.sock', network: 'azure-iot-edge' },
  certificates: { auto_generated_ca_lifetime_days: 90 },
};

export type OldConfig = Record<string, unknown>;

export function parseOldConfig(text: string, file: string): OldConfig {
  let doc: unknown;
  try {
    doc = yaml.load(text, { filename: file, schema: yaml.CORE_SCHEMA });
  } catch (e) {
    const err = e as { reason?: string; mark?: { line?: number } };
    throw new ConfigError(`could not parse ${file}:${(err.mark?.line ?? 0) + 1}: ${err.reason ?? 'not valid YAML'}`, {
      hint: 'fix the YAML of the old configuration and run the import again',
      cause: new Error(err.reason ?? 'not valid YAML'),
    });
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`could not parse ${file}: the top level is not a mapping`, { hint: 'give the 1.1 config.yaml (usually /etc/iotedge/config.yaml)' });
  }
  return mergeToml(OLD_DEFAULTS, doc as Record<string, unknown>);
}

/** Typed reads of the old document; a wrong shape is a ConfigError naming the key. */
export class OldReader {
  constructor(readonly file: string) {}

  fail(key: string, problem: string): never {
    throw new ConfigError(`could not import ${this.file}: ${key}: ${problem}`, { hint: 'fix the old configuration and run the import again' });
  }

  table(v: unknown, key: string): Record<string, unknown> {
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    return this.fail(key, 'expected a mapping');
  }

  optTable(v: unknown, key: string): Record<string, unknown> | undefined {
    return v === undefined || v === null ? undefined : this.table(v, key);
  }

  string(v: unknown, key: string): string {
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return this.fail(key, v === undefined || v === null ? 'missing' : 'expected a string');
  }

  optString(v: unknown, key: string): string | undefined {
    return v === undefined || v === null ? undefined : this.string(v, key);
  }

  bool(v: unknown, key: string): boolean {
    if (v === undefined || v === null) return false;
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    return this.fail(key, 'expected true or false');
  }

  /** A URL, normalised as upstream's `url::Url` prints it (e.g. a "/" path on an https origin). */
  url(v: unknown, key: string): string {
    const s = this.string(v, key);
    try {
      return normaliseUrl(s);
    } catch {
      return this.fail(key, 'expected a URI');
    }
  }

  /** A file path or file:// URI, as a file:// URI. */
  fileUri(v: unknown, key: string): string {
    const s = this.string(v, key);
    if (s.startsWith('/')) return new URL(`file://${encodeURI(s)}`).toString();
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return this.fail(key, 'expected an absolute file path or a file:// URI');
    }
    if (u.protocol !== 'file:') this.fail(key, `has scheme "${u.protocol.replace(/:$/, '')}"; only file:// URIs (or paths) are supported`);
    return u.toString();
  }

  base64(v: unknown, key: string): string {
    const s = this.string(v, key);
    const bytes = decodeBase64Key(s);
    if (!bytes) return this.fail(key, 'expected base64 text');
    return bytes.toString('base64');
  }
}

export function normaliseUrl(s: string): string {
  const u = new URL(s);
  return u.toString();
}
