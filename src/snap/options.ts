/**
 * The options of `snap set azure-iot-edge KEY=VALUE`: one schema (key, what it is, how it is
 * checked), validated at the boundary into a typed value. Unknown keys are refused with the
 * list of valid ones.
 */
import { checkFormat } from '../config/schema/formats';
import type { EdgeError } from '../errors';
import { validateSnapOption } from '../config/image-gc';
import { isLogLevel, type LogLevel } from '../util/log';
import { OptionError } from './errors';

export interface SnapOptions {
  csFile?: string;
  connectionString?: string;
  rawConfig?: string;
  deploymentFile?: string;
  logLevel?: LogLevel;
  hostname?: string;
  dockerDaemon?: Record<string, unknown>;
  imageGc: { enabled?: boolean; recurrence?: string; threshold?: string; time?: string };
}

interface OptionSpec {
  key: string;
  doc: string;
  parse(value: unknown, into: SnapOptions): void;
}

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

/** image-gc.*: the collector's own validators (whole-day recurrence included), naming the snap option. */
function gcOption(key: string, v: unknown): string {
  const s = str(key, v);
  try {
    validateSnapOption(key, s);
  } catch (e) {
    throw new OptionError((e as EdgeError).message, { hint: (e as EdgeError).hint });
  }
  return s;
}

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
  { key: 'hostname', doc: "the device's host name for modules", parse: (v, o) => void (o.hostname = format('hostname', 'hostname', v)) },
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
  {
    key: 'image-gc.enabled',
    doc: 'true or false',
    parse: (v, o) => void (o.imageGc.enabled = gcOption('image-gc.enabled', v) === 'true'),
  },
  { key: 'image-gc.recurrence', doc: 'how often, in whole days, e.g. 1d', parse: (v, o) => void (o.imageGc.recurrence = gcOption('image-gc.recurrence', v)) },
  { key: 'image-gc.threshold', doc: 'remove images unused this long, e.g. 7d', parse: (v, o) => void (o.imageGc.threshold = gcOption('image-gc.threshold', v)) },
  { key: 'image-gc.time', doc: 'time of day, HH:MM', parse: (v, o) => void (o.imageGc.time = gcOption('image-gc.time', v)) },
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
  const out: SnapOptions = { imageGc: {} };
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
    spec.parse(v, out);
  }
  return out;
}
