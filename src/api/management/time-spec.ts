/**
 * `since`/`until` as upstream accepts them: unix seconds, an RFC 3339 time, or a duration back
 * from now ("90m", "1 day", "2 days 3 hours 2 minutes", "1h30m"). Answers unix seconds.
 */
const UNIT_SECONDS: Record<string, number> = {
  s: 1, sec: 1, secs: 1, second: 1, seconds: 1,
  m: 60, min: 60, mins: 60, minute: 60, minutes: 60,
  h: 3600, hr: 3600, hrs: 3600, hour: 3600, hours: 3600,
  d: 86400, day: 86400, days: 86400,
  w: 604800, week: 604800, weeks: 604800,
  // As humantime: a month is 30.44 days, a year 365.25 days.
  M: 2630016, month: 2630016, months: 2630016,
  y: 31557600, year: 31557600, years: 31557600,
};

/** Seconds of a duration such as "1 day" or "1h30m"; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s === '') return undefined;
  const re = /(\d+)\s*([A-Za-z]+)\s*/gy;
  let total = 0;
  let matched = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    const unit = m[2] in UNIT_SECONDS ? m[2] : m[2].toLowerCase();
    const factor = UNIT_SECONDS[unit];
    if (factor === undefined) return undefined;
    total += Number(m[1]) * factor;
    matched = re.lastIndex;
  }
  return matched === s.length ? total : undefined;
}

export function parseTimeSpec(text: string, nowMs: number): number | undefined {
  const s = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Math.floor(Number(s));
  const duration = parseDuration(s);
  if (duration !== undefined) return Math.floor(nowMs / 1000) - duration;
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/.test(s)) {
    const ms = Date.parse(s.replace(' ', 'T'));
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  return undefined;
}
