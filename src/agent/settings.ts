/**
 * The agent's settings from config.toml's `[local_deployment]` table: the manifest file, and the
 * restart policy constants (upstream's values by default). Validated here, at the boundary.
 */
import { ConfigError } from '../errors';
import { DEFAULT_RESTART_SETTINGS, RestartSettings } from './types';

export interface LocalDeploymentSettings {
  file: string;
  debounceMs: number;
  restart: RestartSettings;
}

const KEYS: Record<string, { to: keyof RestartSettings | 'debounceMs'; scale: number }> = {
  restart_cool_off_secs: { to: 'coolOffUnitMs', scale: 1000 },
  restart_max_cool_off_secs: { to: 'maxCoolOffMs', scale: 1000 },
  restart_max_count: { to: 'maxRestartCount', scale: 1 },
  restart_reset_after_secs: { to: 'intensiveCareMs', scale: 1000 },
  debounce_ms: { to: 'debounceMs', scale: 1 },
};

export function localDeploymentSettings(table: Record<string, unknown> | undefined, file?: string): LocalDeploymentSettings | undefined {
  const path = file ?? (typeof table?.file === 'string' ? table.file : undefined);
  if (!path) return undefined;
  const restart: RestartSettings = { ...DEFAULT_RESTART_SETTINGS };
  let debounceMs = 200;
  for (const [key, value] of Object.entries(table ?? {})) {
    if (key === 'file') continue;
    const spec = KEYS[key];
    if (!spec) throw new ConfigError(`[local_deployment] ${key} is not a known setting`, { hint: `use one of file, ${Object.keys(KEYS).join(', ')}` });
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (key === 'restart_max_count' && (!Number.isInteger(value) || value < 1))) {
      throw new ConfigError(`[local_deployment] ${key} must be a ${key === 'restart_max_count' ? 'positive integer' : 'non-negative number'}`);
    }
    if (spec.to === 'debounceMs') debounceMs = value;
    else restart[spec.to] = value * spec.scale;
  }
  return { file: path, debounceMs, restart };
}
