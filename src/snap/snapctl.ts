/**
 * snapctl: one exec function plus small builders that validate their arguments before running.
 * Errors carry the command's stderr (never the values being set: they may be secrets).
 */
import { EdgeError } from '../errors';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}
/** Runs `snapctl ARGS...`; injected so hooks and services are testable without snapd. */
export type SnapctlExec = (args: string[]) => Promise<ExecResult>;

export class SnapctlError extends EdgeError {}

const KEY = /^[a-z0-9](?:-?[a-z0-9])*(?:\.[a-z0-9](?:-?[a-z0-9])*)*$/;
/** snapd's answer to `snapctl get -d KEY` for an option that is not set (2.57 to 2.77). */
const NOT_SET = /has no "[^"]*" configuration option/;
const HEALTH_CODE = /^[a-z](?:-?[a-z0-9])+$/;
export type HealthStatus = 'okay' | 'waiting' | 'blocked' | 'error';
export type ServiceAction = 'start' | 'stop' | 'restart';

function checkKey(key: string): void {
  if (!KEY.test(key)) throw new SnapctlError(`invalid snap option name "${key}"`);
}

export class Snapctl {
  constructor(private readonly exec: SnapctlExec) {}

  private async run(args: string[], redact = false): Promise<ExecResult> {
    const res = await this.exec(args);
    if (res.code !== 0) {
      const shown = redact ? [args[0], '...'] : args;
      throw new SnapctlError(`snapctl ${shown.join(' ')} failed: ${res.stderr.trim() || `exit ${res.code}`}`);
    }
    return res;
  }

  /**
   * The snap's options under the given top-level keys, as one JSON document ({} when none are
   * set). Each key is asked for on its own: in a hook, `snapctl get` with no key fails on every
   * snapd (2.57 to 2.77, "get which option?"), so a hook cannot see a top-level key it does not
   * name; unknown keys inside a named group (`image-gc.when`) it does see.
   */
  async getAll(topKeys: readonly string[]): Promise<Record<string, unknown>> {
    const doc: Record<string, unknown> = {};
    for (const key of topKeys) {
      checkKey(key);
      const one = await this.exec(['get', '-d', key]);
      if (one.code !== 0) {
        // Only snapd's own "no such option" means unset: a snapctl that failed or timed out (a
        // service at boot, snapd not answering yet) must not read as options that were never set.
        if (NOT_SET.test(one.stderr)) continue;
        throw new SnapctlError(`snapctl get -d ${key} failed: ${one.stderr.trim() || `exit ${one.code}`}`);
      }
      const value = (JSON.parse(one.stdout || '{}') as Record<string, unknown>)[key];
      if (value !== undefined) doc[key] = value;
    }
    return doc;
  }

  /** One option, as a string ('' when unset). */
  async get(key: string): Promise<string> {
    checkKey(key);
    const res = await this.exec(['get', key]);
    return res.code === 0 ? res.stdout.replace(/\n$/, '') : '';
  }

  async set(values: Record<string, string>): Promise<void> {
    const keys = Object.keys(values);
    if (keys.length === 0) return;
    keys.forEach(checkKey);
    await this.run(['set', ...keys.map((k) => `${k}=${values[k]}`)], true);
  }

  async unset(...keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    keys.forEach(checkKey);
    await this.run(['unset', ...keys]);
  }

  /**
   * A confdb view's values through one of the snap's plugs (`snapctl get --view :PLUG -d`), {}
   * when it holds none. previous: the values before the transaction a write hook is part of.
   */
  async getView(plug: string, options: { previous?: boolean } = {}): Promise<Record<string, unknown>> {
    checkKey(plug);
    const res = await this.exec(['get', '--view', ...(options.previous ? ['--previous'] : []), '-d', `:${plug}`]);
    if (res.code !== 0) {
      if (/no data|not found|no value/i.test(res.stderr)) return {};
      throw new SnapctlError(`snapctl get --view :${plug} failed: ${res.stderr.trim() || `exit ${res.code}`}`);
    }
    const doc = JSON.parse(res.stdout || '{}') as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>) : {};
  }

  /** Sets view paths to JSON values (`snapctl set --view -t :PLUG path=JSON`); the values are not shown in errors. */
  async setView(plug: string, values: Record<string, unknown>): Promise<void> {
    checkKey(plug);
    const keys = Object.keys(values);
    if (keys.length === 0) return;
    keys.forEach(checkKey);
    await this.run(['set', '--view', '-t', `:${plug}`, ...keys.map((k) => `${k}=${JSON.stringify(values[k])}`)], true);
  }

  /** Rejects the confdb change being proposed (a change-view hook only): snapd shows the reason. */
  async fail(reason: string): Promise<void> {
    await this.run(['fail', reason.replace(/\s+/g, ' ').trim()]);
  }

  /** Exit 0: connected; 1: not connected; anything else is an error. */
  async isConnected(plug: string): Promise<boolean> {
    checkKey(plug);
    const res = await this.exec(['is-connected', plug]);
    if (res.code === 0) return true;
    if (res.code === 1) return false;
    throw new SnapctlError(`snapctl is-connected ${plug} failed: ${res.stderr.trim() || `exit ${res.code}`}`);
  }

  async setHealth(status: HealthStatus, message?: string, code?: string): Promise<void> {
    if (status !== 'okay' && !message) throw new SnapctlError(`health "${status}" needs a message`);
    if (code !== undefined && (!HEALTH_CODE.test(code) || code.length < 3 || code.length > 30)) {
      throw new SnapctlError(`invalid health code "${code}"`);
    }
    // snapd limits the message to 7..70 characters.
    const msg = message === undefined ? undefined : fitHealthMessage(message);
    const args = ['set-health', ...(code ? [`--code=${code}`] : []), status, ...(msg ? [msg] : [])];
    await this.run(args);
  }

  /** start/stop/restart of the snap's services; with `persist`, start enables and stop disables. */
  async services(action: ServiceAction, services: string[], options: { persist?: boolean } = {}): Promise<void> {
    if (services.length === 0) return;
    for (const s of services) {
      if (!/^[a-z0-9-]+\.[a-z0-9-]+$/.test(s)) throw new SnapctlError(`invalid service name "${s}"`);
    }
    const flag = options.persist ? (action === 'start' ? ['--enable'] : action === 'stop' ? ['--disable'] : []) : [];
    await this.run([action, ...flag, ...services]);
  }

  /** `snapctl services`: name -> {enabled, active}. */
  async serviceStates(services: string[]): Promise<Record<string, { enabled: boolean; active: boolean }>> {
    const res = await this.run(['services', ...services]);
    return parseServices(res.stdout);
  }
}

export function fitHealthMessage(message: string): string {
  let m = message.replace(/\s+/g, ' ').trim();
  if (m.length > 70) m = m.slice(0, 69) + '…';
  while (m.length < 7) m += '.';
  return m;
}

export function parseServices(text: string): Record<string, { enabled: boolean; active: boolean }> {
  const out: Record<string, { enabled: boolean; active: boolean }> = {};
  for (const line of text.split('\n').slice(1)) {
    const [name, startup, current] = line.trim().split(/\s+/);
    if (!name || !startup) continue;
    out[name] = { enabled: startup === 'enabled', active: current === 'active' };
  }
  return out;
}
