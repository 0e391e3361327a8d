/**
 * Durations in the humantime notation upstream uses everywhere (`iotedge logs --since`, the
 * logs API, `[image_garbage_collection]`): one or more spans, each an integer and a unit, with
 * optional white space, e.g. `90m`, `1 day`, `2 days 3 hours`, `1h30m`.
 */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;

/** Seconds and up: what the image collector's settings accept. */
export const COARSE_UNITS: Readonly<Record<string, number>> = {
  seconds: SECOND, second: SECOND, secs: SECOND, sec: SECOND, s: SECOND,
  minutes: MINUTE, minute: MINUTE, mins: MINUTE, min: MINUTE, m: MINUTE,
  hours: HOUR, hour: HOUR, hrs: HOUR, hr: HOUR, h: HOUR,
  days: DAY, day: DAY, d: DAY,
  weeks: WEEK, week: WEEK, w: WEEK,
};

/** humantime's units, in milliseconds (so a nanosecond is a fraction). */
export const HUMANTIME_UNITS: Readonly<Record<string, number>> = {
  nanos: 1e-6, nsec: 1e-6, ns: 1e-6,
  usec: 1e-3, us: 1e-3,
  millis: 1, msec: 1, ms: 1,
  ...COARSE_UNITS,
  // humantime's month and year: 30.44 days and 365.25 days.
  months: 2_630_016 * SECOND, month: 2_630_016 * SECOND, M: 2_630_016 * SECOND,
  years: 31_557_600 * SECOND, year: 31_557_600 * SECOND, y: 31_557_600 * SECOND,
};

export interface DurationNotation {
  /** The unit names accepted, in milliseconds; humantime's by default. */
  units?: Readonly<Record<string, number>>;
  /** A unit not known as written is tried in lower case too ("1H", "2 Days"); humantime does not. */
  anyCase?: boolean;
}

export type DurationScan =
  | { ms: number }
  | { problem: 'empty' }
  | { problem: 'number-expected' }
  | { problem: 'unknown-unit'; unit: string };

const SPAN = /(\d+)\s*([A-Za-z]+)\s*/y;

/** The duration in `text`, or why it is not one (for callers whose errors say why). */
export function scanDuration(text: string, notation: DurationNotation = {}): DurationScan {
  const units = notation.units ?? HUMANTIME_UNITS;
  const unitMs = (name: string) => (Object.hasOwn(units, name) ? units[name] : undefined);
  const s = text.trim();
  if (s === '') return { problem: 'empty' };
  let total = 0;
  for (let at = 0; at < s.length; at = SPAN.lastIndex) {
    SPAN.lastIndex = at;
    const m = SPAN.exec(s);
    if (!m) return { problem: 'number-expected' };
    const unit = unitMs(m[2]) ?? (notation.anyCase ? unitMs(m[2].toLowerCase()) : undefined);
    if (unit === undefined) return { problem: 'unknown-unit', unit: m[2] };
    total += Number(m[1]) * unit;
  }
  return { ms: total };
}

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string, notation?: DurationNotation): number | undefined {
  const scan = scanDuration(text, notation);
  return 'ms' in scan ? scan.ms : undefined;
}
