/**
 * `--since` / `--until` as upstream's edgelet-core `parse_since`: an RFC 3339 timestamp, a unix
 * timestamp in seconds, or a duration counted back from now. The answer is unix seconds.
 */
import { BadRequestError } from '../../errors';
import { parseDuration } from './duration';

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** Unix seconds for `text`, or undefined when it is none of the accepted forms. */
export function parseTime(text: string, nowMs: number): number | undefined {
  const s = text.trim();
  if (RFC3339.test(s)) {
    const ms = Date.parse(s.replace(' ', 'T'));
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  if (/^-?\d+$/.test(s)) return Number(s);
  const duration = parseDuration(s);
  return duration === undefined ? undefined : Math.floor((nowMs - duration) / 1000);
}

/** As parseTime, but a bad value is a usage error naming the option. */
export function parseTimeOption(option: string, text: string, nowMs: number): number {
  const t = parseTime(text, nowMs);
  if (t === undefined) {
    throw new BadRequestError(`invalid --${option} value '${text}'`, {
      hint: 'Use a duration (90m, 1 day, 2 days 3 hours), an RFC 3339 timestamp (2026-01-31T12:00:00Z) or unix seconds',
    });
  }
  return t;
}

/** `--tail`: `all` or a number of lines. */
export function parseTail(text: string): number | 'all' {
  const s = text.trim();
  if (s === 'all') return 'all';
  if (/^\d+$/.test(s)) return Number(s);
  throw new BadRequestError(`invalid --tail value '${text}'`, { hint: "Use a number of lines or 'all'" });
}
