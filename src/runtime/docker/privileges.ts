/**
 * `allow_elevated_docker_permissions = false`, as upstream's edgelet-docker enforces it: no
 * privileged mode, no added capabilities, and the default capabilities that lead to root
 * (CHOWN, SETUID) dropped. Docker decodes the create body's keys in any letter case
 * (`privileged`, `capAdd`, `hostconfig`), and still reads HostConfig fields put at the top
 * level, so every spelling, at both levels, is removed. Pure functions.
 */

/** Upstream's list: granted by default, and enough to gain root from inside the container. */
export const UNSAFE_DEFAULT_CAPS = ['CHOWN', 'SETUID'];

const ELEVATING = /^(privileged|capadd)$/i;
const HOST_CONFIG = /^hostconfig$/i;
const CAP_DROP = /^capdrop$/i;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The body with its HostConfig under the one key `HostConfig`: spellings in other letter case
 * are merged into it in key order, later fields winning, as Docker's decoder fills one struct.
 */
export function canonicalHostConfig(body: Obj): Obj {
  const keys = Object.keys(body).filter((k) => HOST_CONFIG.test(k));
  if (keys.length === 0 || (keys.length === 1 && keys[0] === 'HostConfig')) return body;
  const out: Obj = {};
  let merged: Obj | undefined;
  for (const [k, v] of Object.entries(body)) {
    if (!HOST_CONFIG.test(k)) out[k] = v;
    else if (isObj(v)) merged = { ...(merged ?? {}), ...v };
  }
  if (merged) out.HostConfig = merged;
  return out;
}

/** The body with elevated privileges removed; `onRemoved` is told what was removed, when anything was. */
export function restrictPrivileges(body: Obj, onRemoved?: (message: string) => void): Obj {
  const removed: string[] = [];
  const strip = (o: Obj, where: string): Obj => {
    const kept: Obj = {};
    for (const [k, v] of Object.entries(o)) {
      if (ELEVATING.test(k) && v !== false && v !== null && !(Array.isArray(v) && v.length === 0)) removed.push(`${where}${k}=${JSON.stringify(v)}`);
      if (!ELEVATING.test(k)) kept[k] = v;
    }
    return kept;
  };
  const top = strip(canonicalHostConfig(body), '');
  const hostConfig = strip(isObj(top.HostConfig) ? top.HostConfig : {}, 'HostConfig.');
  const ownDrops = Object.entries(hostConfig).flatMap(([k, v]) => (CAP_DROP.test(k) && Array.isArray(v) ? (v as unknown[]) : []));
  for (const k of Object.keys(hostConfig)) if (CAP_DROP.test(k)) delete hostConfig[k];
  hostConfig.Privileged = false;
  hostConfig.CapDrop = [...UNSAFE_DEFAULT_CAPS, ...ownDrops.filter((c) => !UNSAFE_DEFAULT_CAPS.includes(String(c).toUpperCase().replace(/^CAP_/, '')))];
  if (removed.length) {
    onRemoved?.(
      `elevated permissions are disallowed on this device (allow_elevated_docker_permissions = false): removed ${removed.join(', ')}; ` +
        'set allow_elevated_docker_permissions = true in config.toml if the module must have them',
    );
  }
  return { ...top, HostConfig: hostConfig };
}
