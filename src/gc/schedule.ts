/**
 * When collections run: the first at cleanup_time (local) once the startup delay has passed, then
 * at cleanup_time every `recurrence` days. Computed on local calendar days, so a daylight-saving
 * change does not shift the hour. Pure functions of the times given.
 */
import type { GcSettings } from './settings';

const DAY = 24 * 60 * 60 * 1000;

/** The first cleanup_time (local) at or after `startedAt + startupDelay`. */
export function firstRunAt(startedAt: number, s: Pick<GcSettings, 'cleanupMinutes' | 'startupDelayMs'>): number {
  const earliest = startedAt + s.startupDelayMs;
  let at = atLocalTime(earliest, s.cleanupMinutes, 0);
  if (at < earliest) at = atLocalTime(earliest, s.cleanupMinutes, 1);
  return at;
}

/**
 * The run after the one scheduled at `previous`: `recurrence` days later at cleanup_time. If that
 * is already past (the device slept, a run took long), the next slot in the future.
 */
export function nextRunAfter(previous: number, now: number, s: Pick<GcSettings, 'cleanupMinutes' | 'recurrenceMs'>): number {
  const days = Math.max(1, Math.round(s.recurrenceMs / DAY));
  let at = atLocalTime(previous, s.cleanupMinutes, days);
  while (at <= now) at = atLocalTime(at, s.cleanupMinutes, days);
  return at;
}

/** `minutes` after local midnight of the local day `addDays` after the one `t` falls on. */
function atLocalTime(t: number, minutes: number, addDays: number): number {
  const d = new Date(t);
  d.setDate(d.getDate() + addDays);
  d.setHours(Math.floor(minutes / 60), minutes % 60, 0, 0);
  return d.getTime();
}
