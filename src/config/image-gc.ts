/**
 * Image garbage collection settings, as upstream's `[image_garbage_collection]`: durations in
 * humantime's notation ("1d", "12h", "30m", "1w", "1d 12h"), the recurrence a whole number of
 * days, the cleanup time "HH:MM" in local time. Validated here, typed everywhere else.
 */
import { ConfigError } from '../errors';
import { COARSE_UNITS, DAY, HOUR, MINUTE, SECOND, scanDuration } from '../util/duration';
import { defaultAt } from './schema/lookup';

export interface GcSettings {
  enabled: boolean;
  /** Milliseconds between runs: a whole number of days. */
  recurrenceMs: number;
  /** An image unused for longer than this (milliseconds) may go. */
  thresholdMs: number;
  /** Minutes after local midnight of the first run of each day. */
  cleanupMinutes: number;
  /** Nothing runs this long (milliseconds) after edged starts. Not an upstream key. */
  startupDelayMs: number;
}

/** The section as it appears in config.toml (strings untouched by the config loader). */
export interface RawGcSection {
  enabled?: unknown;
  cleanup_recurrence?: unknown;
  image_age_cleanup_threshold?: unknown;
  cleanup_time?: unknown;
  startup_delay?: unknown;
}

/** The section's defaults, as its schema nodes declare them. */
export function gcDefault(key: keyof RawGcSection): unknown {
  return defaultAt(['image_garbage_collection', key]);
}

const DURATION_HINT = 'Use a number and a unit, e.g. "1d", "12h", "30m", "1w" or "1d 12h"';

/** Parses "1d", "12h", "1h 30m", "2weeks" (seconds to weeks, as written); `key` names the setting in the error. */
export function parseDuration(text: unknown, key: string): number {
  if (typeof text !== 'string' || text.trim() === '') {
    throw new ConfigError(`${key} must be a duration string, got ${describe(text)}`, { hint: DURATION_HINT });
  }
  const scan = scanDuration(text, { units: COARSE_UNITS });
  if (!('ms' in scan)) {
    const what = scan.problem === 'unknown-unit' ? `unknown unit "${scan.unit}"` : 'a number must come before each unit';
    throw new ConfigError(`${key} = "${text}" is not a duration (${what})`, { hint: DURATION_HINT });
  }
  if (!Number.isSafeInteger(scan.ms)) throw new ConfigError(`${key} = "${text}" is too long`, { hint: DURATION_HINT });
  return scan.ms;
}

/** As upstream: at least one day, and a whole number of days. */
export function parseRecurrence(text: unknown, key = 'image_garbage_collection.cleanup_recurrence'): number {
  const ms = parseDuration(text, key);
  if (ms < DAY || ms % DAY !== 0) {
    throw new ConfigError(`${key} = "${String(text)}" must be a whole number of days`, {
      hint: 'Use e.g. "1d", "2d" or "1w"; the cleanup runs at cleanup_time on those days',
    });
  }
  return ms;
}

/** "HH:MM" (24-hour, local time) -> minutes after midnight. */
export function parseCleanupTime(text: unknown, key = 'image_garbage_collection.cleanup_time'): number {
  const m = typeof text === 'string' ? /^(\d{1,2}):(\d{2})$/.exec(text.trim()) : null;
  const hours = m ? Number(m[1]) : NaN;
  const minutes = m ? Number(m[2]) : NaN;
  if (!m || hours > 23 || minutes > 59) {
    throw new ConfigError(`${key} = ${describe(text)} is not a time of day`, {
      hint: 'Use "HH:MM" in 24-hour local time, e.g. "00:00" or "23:30"',
    });
  }
  return hours * 60 + minutes;
}

/** A TOML boolean, or (snap options arrive as strings) "true"/"false". */
export function parseEnabled(value: unknown, key = 'image_garbage_collection.enabled'): boolean {
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ConfigError(`${key} must be true or false, got ${describe(value)}`, { hint: 'Use true or false' });
}

/** The whole section with upstream's defaults; throws the first problem as a ConfigError (exit 153). */
export function parseGcSettings(raw: RawGcSection | undefined): GcSettings {
  const section = raw ?? {};
  const pick = (k: keyof RawGcSection) => (section[k] === undefined || section[k] === null ? gcDefault(k) : section[k]);
  return {
    enabled: parseEnabled(pick('enabled')),
    recurrenceMs: parseRecurrence(pick('cleanup_recurrence')),
    thresholdMs: parseDuration(pick('image_age_cleanup_threshold'), 'image_garbage_collection.image_age_cleanup_threshold'),
    cleanupMinutes: parseCleanupTime(pick('cleanup_time')),
    startupDelayMs: parseDuration(pick('startup_delay'), 'image_garbage_collection.startup_delay'),
  };
}

/** "1d 2h" style, for logs and status output. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', SECOND]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join(' ') || `${ms}ms`;
}

export function formatCleanupTime(minutes: number): string {
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

function describe(v: unknown): string {
  return typeof v === 'string' ? `"${v}"` : v === undefined ? 'nothing' : JSON.stringify(v);
}
