/**
 * The appliance's confdb views (snap/confdb/azure-iot-edge.yaml) as the hooks see them: which
 * plug serves which view, and control-runtime's requests as snap options. Pure: the hooks
 * (custodian.ts) gather the view values, these functions decide, configure applies.
 *
 * control-runtime's requests are the snap options of the same names, so a write through the
 * view is a `snap set` of those keys, checked by the same OPTIONS parsers, rendered by the same
 * configure run. `deployment` is the one exception: the manifest itself rather than a path, kept
 * in a file of ours that the deployment-file option then names.
 */
import { OptionError } from '../errors';
import { validOptionKeys } from '../options';

/** The custodian plugs, named after their views (the hooks are change-view-PLUG, ...). */
export const VIEW_PLUGS = ['observe-device', 'observe-modules', 'control-runtime', 'control-provisioning'] as const;
export type ViewPlug = (typeof VIEW_PLUGS)[number];
/**
 * The hooks' own access to the whole storage, under the storage paths: they load the live
 * values through it (observe-* are read-only) and read what control-provisioning writes (that
 * view is write-only). A plain plug: nobody else can write or read through it.
 */
export const CUSTODIAN_PLUG = 'custodian';

/** A view's values under its storage prefix, as the custodian plug takes them. */
export function underStorage(prefix: string, values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}.${k}`, v]));
}

/** control-runtime requests that are snap options under the same key. */
export const RUNTIME_OPTIONS = ['log-level', 'hostname', 'image-gc.enabled', 'image-gc.recurrence', 'image-gc.threshold', 'image-gc.time'] as const;
export const DEPLOYMENT_REQUEST = 'deployment';
/** Read-only: the line the last refused control-* write got (snapctl set --view from an app does not show it on 2.77). */
export const LAST_REFUSAL_REQUEST = 'last-refusal';

export type ConfdbHookKind = 'change' | 'save' | 'load' | 'query';

/** `change-view-control-runtime` -> {kind: 'change', plug: 'control-runtime'}; undefined for other hooks. */
export function parseViewHook(name: string): { kind: ConfdbHookKind; plug: string } | undefined {
  const m = /^(change|save|load|query)-view-(.+)$/.exec(name);
  return m ? { kind: m[1] as ConfdbHookKind, plug: m[2] } : undefined;
}

/** A view document flattened to request paths: {image-gc: {time: '03:00'}} -> image-gc.time. Only known groups are descended. */
export function flattenView(doc: Record<string, unknown>): Map<string, unknown> {
  const flat = new Map<string, unknown>();
  for (const [k, v] of Object.entries(doc)) {
    if (k === 'image-gc' && v && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) flat.set(`${k}.${k2}`, v2);
    } else {
      flat.set(k, v);
    }
  }
  return flat;
}

/** What this transaction wrote: the requests whose value differs from before it (undefined: unset). */
export function changedRequests(current: Map<string, unknown>, previous: Map<string, unknown>): Map<string, unknown> {
  const changed = new Map<string, unknown>();
  for (const [k, v] of current) if (JSON.stringify(v) !== JSON.stringify(previous.get(k))) changed.set(k, v);
  for (const k of previous.keys()) if (!current.has(k)) changed.set(k, undefined);
  return changed;
}

export interface RuntimeWrite {
  /** Snap option key -> value (undefined: unset), for the options named like the request. */
  options: Map<string, unknown>;
  /** The manifest's text (JSON), null when the deployment is unset, undefined when untouched. */
  deployment?: string | null;
}

/** A control-runtime write as option changes. The view has no other requests, but say so if it grows one. */
export function runtimeWrite(changed: Map<string, unknown>): RuntimeWrite {
  const out: RuntimeWrite = { options: new Map() };
  for (const [k, v] of changed) {
    if ((RUNTIME_OPTIONS as readonly string[]).includes(k)) out.options.set(k, v);
    else if (k === LAST_REFUSAL_REQUEST) continue; // read-only: only snapd's cached copy changes here
    else if (k === DEPLOYMENT_REQUEST) out.deployment = v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v);
    else throw new OptionError(`control-runtime: ${k} is not a setting of this snap`, { hint: `valid: ${[...RUNTIME_OPTIONS, DEPLOYMENT_REQUEST].join(', ')}` });
  }
  return out;
}

/**
 * What a read of control-runtime shows: exactly the options `snap get azure-iot-edge` shows,
 * under the same keys; null (snapctl: unset) for the others, so nothing snapd kept from an
 * earlier write shows through.
 */
export function runtimeView(options: Map<string, unknown>, deployment?: unknown, lastRefusal?: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of RUNTIME_OPTIONS) {
    const v = options.get(k);
    out[k] = v !== undefined && v !== null && v !== '' ? v : null;
  }
  out[DEPLOYMENT_REQUEST] = deployment ?? null;
  out[LAST_REFUSAL_REQUEST] = lastRefusal ?? null;
  return out;
}

/** Every control-runtime option is a snap option: the test that keeps the two tables together. */
export function runtimeOptionsAreSnapOptions(): boolean {
  const keys = validOptionKeys();
  return RUNTIME_OPTIONS.every((k) => keys.includes(k));
}
