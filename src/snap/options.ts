/**
 * The options of `snap set azure-iot-edge KEY=VALUE`: one table (key, what it is, how it is
 * checked), validated at the boundary into a typed value. An option that is a key of config.toml
 * is a row naming its TOML path, which the renderer lays over the file generically. Unknown keys
 * are refused with the list of valid ones.
 */
import { checkFormat } from '../config/schema/formats';
import type { EdgeError } from '../errors';
import { parseCleanupTime, parseDuration, parseEnabled, parseRecurrence } from '../config/image-gc';
import { isLogLevel, type LogLevel } from '../util/log';
import { OptionError } from './errors';

export interface SnapOptions {
  csFile?: string;
  connectionString?: string;
  rawConfig?: string;
  deploymentFile?: string;
  logLevel?: LogLevel;
  dockerDaemon?: Record<string, unknown>;
  /** The options that are keys of config.toml: [TOML path, value], laid over the file in this order. */
  config: Array<[toml: readonly string[], value: unknown]>;
}

/** An option the hook handles itself: a file to read, a whole document, the engine's settings. */
interface HookOption {
  key: string;
  doc: string;
  parse(value: unknown, into: SnapOptions): void;
}

/** An option that is one key of config.toml: its schema node there, and the validator naming the option. */
interface ConfigOption {
  key: string;
  doc: string;
  toml: readonly string[];
  /** The TOML value (snap options arrive as strings); throws an OptionError naming the option. */
  value(value: unknown): unknown;
}

export type OptionSpec = HookOption | ConfigOption;

export const isConfigOption = (o: OptionSpec): o is ConfigOption => 'toml' in o;

function str(key: string, v: unknown): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw new OptionError(`${key} must be a string`);
  return v;
}

function path(key: string, v: unknown): string {
  const s = str(key, v);
  if (!s.startsWith('/')) throw new OptionError(`${key} must be an absolute path`, { hint: `e.g. snap set azure-iot-edge ${key}=/root/file` });
  return s;
}

function format(key: string, fmt: 'hostname', v: unknown): string {
  const s = str(key, v);
  const problem = checkFormat(fmt, s);
  if (problem) throw new OptionError(`${key}: ${problem.reason}`);
  return s;
}

/** image-gc.*: the collector's own parsers (whole-day recurrence included), naming the snap option. */
function gc<T>(parse: (value: string, key: string) => T, keep: (s: string, parsed: T) => unknown = (s) => s) {
  return (key: string) => (v: unknown) => {
    const s = str(key, v);
    try {
      return keep(s, parse(s, key));
    } catch (e) {
      throw new OptionError((e as EdgeError).message, { hint: (e as EdgeError).hint });
    }
  };
}

const GC = ['image_garbage_collection'] as const;

/** A config.toml row: the option's validator gets the option's own name for its messages. */
const row = (key: string, doc: string, toml: readonly string[], value: (key: string) => (v: unknown) => unknown): ConfigOption => ({ key, doc, toml, value: value(key) });

export const OPTIONS: readonly OptionSpec[] = [
  { key: 'cs-file', doc: 'file holding the device connection string (read as root, at most 4 KiB)', parse: (v, o) => void (o.csFile = path('cs-file', v)) },
  { key: 'connection-string', doc: 'the device connection string itself (consumed, then unset)', parse: (v, o) => void (o.connectionString = str('connection-string', v)) },
  { key: 'raw-config', doc: 'a whole config.toml (validated, applied, then unset)', parse: (v, o) => void (o.rawConfig = str('raw-config', v)) },
  { key: 'deployment-file', doc: 'a local deployment manifest (JSON), copied in and applied', parse: (v, o) => void (o.deploymentFile = path('deployment-file', v)) },
  {
    key: 'log-level',
    doc: 'trace, debug, info, warn or error',
    parse: (v, o) => {
      const s = str('log-level', v);
      if (!isLogLevel(s)) throw new OptionError('log-level must be one of trace, debug, info, warn, error');
      o.logLevel = s;
    },
  },
  row('hostname', "the device's host name for modules", ['hostname'], (key) => (v) => format(key, 'hostname', v)),
  {
    key: 'docker.daemon',
    doc: "JSON object merged into the snap engine's daemon.json",
    parse: (v, o) => {
      let obj = v;
      if (typeof v === 'string') {
        try {
          obj = JSON.parse(v);
        } catch {
          throw new OptionError('docker.daemon is not valid JSON', { hint: `give a JSON object, e.g. docker.daemon='{"log-level":"warn"}'` });
        }
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new OptionError('docker.daemon must be a JSON object');
      o.dockerDaemon = obj as Record<string, unknown>;
    },
  },
  row('image-gc.enabled', 'true or false', [...GC, 'enabled'], gc(parseEnabled, (_, enabled) => enabled)),
  row('image-gc.recurrence', 'how often, in whole days, e.g. 1d', [...GC, 'cleanup_recurrence'], gc(parseRecurrence)),
  row('image-gc.threshold', 'remove images unused this long, e.g. 7d', [...GC, 'image_age_cleanup_threshold'], gc(parseDuration)),
  row('image-gc.time', 'time of day, HH:MM', [...GC, 'cleanup_time'], gc(parseCleanupTime)),
];

/** Option groups whose members are listed one level down (`docker.daemon`, `image-gc.time`). */
const GROUPS = new Set(OPTIONS.filter((o) => o.key.includes('.')).map((o) => o.key.split('.')[0]));

/** The top-level keys snapd stores the options under (`docker` for docker.daemon). */
export function topLevelKeys(): string[] {
  return [...new Set(OPTIONS.map((o) => o.key.split('.')[0]))];
}

export function validOptionKeys(): string[] {
  return OPTIONS.map((o) => o.key);
}

/** Flattens `snapctl get -d` into option keys, descending only into the known groups. */
export function flattenOptions(doc: Record<string, unknown>): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  for (const [k, v] of Object.entries(doc)) {
    if (GROUPS.has(k) && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) flat.set(`${k}.${k2}`, v2);
    } else {
      flat.set(k, v);
    }
  }
  return flat;
}

/** snapctl's document with option values laid over it by key (`image-gc.time` inside `image-gc`); undefined unsets. */
export function overlayOptions(doc: Record<string, unknown>, overlay: ReadonlyMap<string, unknown>): Record<string, unknown> {
  const out = structuredClone(doc);
  for (const [key, value] of overlay) {
    const [top, sub] = GROUPS.has(key.split('.')[0]) && key.includes('.') ? key.split(/\.(.*)/s) : [key, undefined];
    if (sub === undefined) {
      if (value === undefined) delete out[top];
      else out[top] = value;
      continue;
    }
    const group = out[top] && typeof out[top] === 'object' && !Array.isArray(out[top]) ? { ...(out[top] as Record<string, unknown>) } : {};
    if (value === undefined) delete group[sub];
    else group[sub] = value;
    if (Object.keys(group).length) out[top] = group;
    else delete out[top];
  }
  return out;
}

export function parseOptions(doc: Record<string, unknown>): SnapOptions {
  const out: SnapOptions = { config: [] };
  const flat = flattenOptions(doc);
  const unknown = [...flat.keys()].filter((k) => !OPTIONS.some((o) => o.key === k));
  if (unknown.length) {
    throw new OptionError(`unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`, {
      hint: `valid options: ${validOptionKeys().join(', ')}`,
    });
  }
  for (const spec of OPTIONS) {
    const v = flat.get(spec.key);
    if (v === undefined || v === null || v === '') continue;
    if (isConfigOption(spec)) out.config.push([spec.toml, spec.value(v)]);
    else spec.parse(v, out);
  }
  return out;
}
