/**
 * `--since` / `--until` as upstream's edgelet-core `parse_since`: an RFC 3339 timestamp, a unix
 * timestamp in seconds, or a duration counted back from now. The answer is unix seconds.
 */
import { BadRequestError } from '../../errors';
import { HUMANTIME_UNITS, WEEK, parseDuration as parseDurationIn } from '../../util/duration';
import { parseTimeSpec, type TimeSpecNotation } from '../../util/time-spec';

/** humantime's units plus "wk", and a unit in any case ("1H", "2 Days"). */
const CLI_NOTATION: TimeSpecNotation = { units: { ...HUMANTIME_UNITS, wk: WEEK }, anyCase: true };

/** Milliseconds of a duration as the CLI takes it, or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  return parseDurationIn(text, CLI_NOTATION);
}

/** Unix seconds for `text`, or undefined when it is none of the accepted forms. */
export function parseTime(text: string, nowMs: number): number | undefined {
  return parseTimeSpec(text, nowMs, CLI_NOTATION);
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
