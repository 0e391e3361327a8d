/**
 * The agent's settings from config.toml's `[local_deployment]` table: the manifest file, and the
 * restart policy constants (upstream's values by default). The schema has validated the table
 * (src/config/schema/super-config.ts); here its seconds become the agent's milliseconds.
 */
import type { LocalDeploymentSection } from '../config/types';
import { DEFAULT_RESTART_SETTINGS, RestartSettings } from './types';

export interface LocalDeploymentSettings {
  file: string;
  debounceMs: number;
  restart: RestartSettings;
}

const DEFAULT_DEBOUNCE_MS = 200;
const ms = (secs: number | undefined, fallback: number) => (secs === undefined ? fallback : secs * 1000);

export function localDeploymentSettings(section: LocalDeploymentSection | undefined): LocalDeploymentSettings | undefined {
  if (!section) return undefined;
  const d = DEFAULT_RESTART_SETTINGS;
  return {
    file: section.file,
    debounceMs: section.debounce_ms ?? DEFAULT_DEBOUNCE_MS,
    restart: {
      ...d,
      coolOffUnitMs: ms(section.restart_cool_off_secs, d.coolOffUnitMs),
      maxCoolOffMs: ms(section.restart_max_cool_off_secs, d.maxCoolOffMs),
      maxRestartCount: section.restart_max_count ?? d.maxRestartCount,
      intensiveCareMs: ms(section.restart_reset_after_secs, d.intensiveCareMs),
    },
  };
}
