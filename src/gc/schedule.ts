/**
 * When collections run: the first at cleanup_time (local) once the startup delay has passed, then
 * at cleanup_time every `recurrence` days. Computed on local calendar days, so a daylight-saving
 * change does not shift the hour. Pure functions of the times given.
 */
import type { GcSettings } from '../config/image-gc';

const DAY = 24 * 60 * 60 * 1000;

/** Local time's offset from UTC at instant `t`, in milliseconds (east positive). Injected in tests. */
export type UtcOffset = (t: number) => number;
export const systemUtcOffset: UtcOffset = (t) => -new Date(t).getTimezoneOffset() * 60_000;

/** The first cleanup_time (local) at or after `startedAt + startupDelay`. */
export function firstRunAt(
  startedAt: number,
  s: Pick<GcSettings, 'cleanupMinutes' | 'startupDelayMs'>,
  offset: UtcOffset = systemUtcOffset,
): number {
  const earliest = startedAt + s.startupDelayMs;
  let at = atLocalTime(earliest, s.cleanupMinutes, 0, offset);
  if (at < earliest) at = atLocalTime(earliest, s.cleanupMinutes, 1, offset);
  return at;
}

/**
 * The run after the one scheduled at `previous`: `recurrence` days later at cleanup_time. If that
 * is already past (the device slept, a run took long), the next slot in the future.
 */
export function nextRunAfter(
  previous: number,
  now: number,
  s: Pick<GcSettings, 'cleanupMinutes' | 'recurrenceMs'>,
  offset: UtcOffset = systemUtcOffset,
): number {
  const days = Math.max(1, Math.round(s.recurrenceMs / DAY));
  let at = atLocalTime(previous, s.cleanupMinutes, days, offset);
  while (at <= now) at = atLocalTime(at, s.cleanupMinutes, days, offset);
  return at;
}

/** `minutes` after local midnight of the local day `addDays` after the one `t` falls on. */
function atLocalTime(t: number, minutes: number, addDays: number, offset: UtcOffset): number {
  const localMidnight = Math.floor((t + offset(t)) / DAY) * DAY;
  const wanted = localMidnight + addDays * DAY + minutes * 60_000;
  // The offset that applies at the answer may differ from the one at `t` (daylight saving):
  // settle it by asking again at the first guess.
  const guess = wanted - offset(wanted - offset(t));
  return wanted - offset(guess);
}
