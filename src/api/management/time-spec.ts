/**
 * `since`/`until` of the logs API: unix seconds, an RFC 3339 time, or a duration back from now
 * ("90m", "1 day", "2 days 3 hours 2 minutes", "1h30m"). Answers unix seconds.
 */
import { parseTimeSpec as parseIn, type TimeSpecNotation } from '../../util/time-spec';

/** humantime's units in any case ("1H"), and the API's lenient extras (see TimeSpecNotation). */
const API_NOTATION: TimeSpecNotation = { anyCase: true, lenient: true };

export function parseTimeSpec(text: string, nowMs: number): number | undefined {
  return parseIn(text, nowMs, API_NOTATION);
}
