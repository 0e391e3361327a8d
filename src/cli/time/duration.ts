/**
 * Durations as upstream's `iotedge logs --since/--until` accept them (the humantime grammar):
 * one or more spans, each an integer and a unit, e.g. `90m`, `1 day`, `2 days 3 hours`, `1h30m`.
 */

const SECOND = 1000;
const UNITS: Record<string, number> = {
  nanos: 1e-6, nsec: 1e-6, ns: 1e-6,
  usec: 1e-3, us: 1e-3,
  millis: 1, msec: 1, ms: 1,
  seconds: SECOND, second: SECOND, secs: SECOND, sec: SECOND, s: SECOND,
  minutes: 60 * SECOND, minute: 60 * SECOND, mins: 60 * SECOND, min: 60 * SECOND, m: 60 * SECOND,
  hours: 3600 * SECOND, hour: 3600 * SECOND, hrs: 3600 * SECOND, hr: 3600 * SECOND, h: 3600 * SECOND,
  days: 86400 * SECOND, day: 86400 * SECOND, d: 86400 * SECOND,
  weeks: 7 * 86400 * SECOND, week: 7 * 86400 * SECOND, wk: 7 * 86400 * SECOND, w: 7 * 86400 * SECOND,
  // humantime's month and year: 30.44 days and 365.25 days.
  months: 2_630_016 * SECOND, month: 2_630_016 * SECOND, M: 2_630_016 * SECOND,
  years: 31_557_600 * SECOND, year: 31_557_600 * SECOND, y: 31_557_600 * SECOND,
};

const SPAN = /(\d+)\s*([A-Za-z]+)/y;

function unitMs(name: string): number | undefined {
  return Object.hasOwn(UNITS, name) ? UNITS[name] : undefined;
}

/** Milliseconds, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  let total = 0;
  let at = 0;
  while (at < s.length) {
    SPAN.lastIndex = at;
    const m = SPAN.exec(s);
    if (!m) return undefined;
    const unit = unitMs(m[2]) ?? unitMs(m[2].toLowerCase());
    if (unit === undefined) return undefined;
    total += Number(m[1]) * unit;
    at = SPAN.lastIndex;
    while (at < s.length && /\s/.test(s[at])) at++;
  }
  return total;
}
