/**
 * A point in time as upstream's edgelet-core `parse_since` takes it (logs `since`/`until`): an
 * RFC 3339 timestamp, unix seconds, or a duration counted back from now. Answers unix seconds.
 */
import { parseDuration, type DurationNotation } from './duration';

export interface TimeSpecNotation extends DurationNotation {
  /**
   * Also what the logs API has always taken beyond upstream: fractional unix seconds, and RFC 3339
   * without seconds or with a "+hhmm" offset.
   */
  lenient?: boolean;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const RFC3339_LENIENT = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})$/;
const UNIX = /^-?\d+$/;
const UNIX_LENIENT = /^-?\d+(\.\d+)?$/;

/** Unix seconds for `text`, or undefined when it is none of the accepted forms. */
export function parseTimeSpec(text: string, nowMs: number, notation: TimeSpecNotation = {}): number | undefined {
  const s = text.trim();
  if ((notation.lenient ? RFC3339_LENIENT : RFC3339).test(s)) {
    const ms = Date.parse(s.replace(' ', 'T'));
    return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
  }
  if ((notation.lenient ? UNIX_LENIENT : UNIX).test(s)) return Math.floor(Number(s));
  const duration = parseDuration(s, notation);
  return duration === undefined ? undefined : Math.floor((nowMs - duration) / 1000);
}
