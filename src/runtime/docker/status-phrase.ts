/**
 * Docker's container list words a state with a duration ("Up 5 minutes", "Exited (1) 2 hours
 * ago", "Restarting (1) 3 seconds ago"), computed when the list is made. The cache compares the
 * wording without that duration, then checks that the duration fits the cached start or finish
 * time: a state that ticks from "Up 5 minutes" to "Up 6 minutes" keeps its entry, a restart
 * ("Up Less than a second" against a start 10 minutes ago) does not.
 */

export interface StatusPhrase {
  /** The status with its duration replaced by a placeholder. */
  shape: string;
  /** Which of the container's times the duration counts from. */
  since: 'started' | 'finished';
  /** The durations (s) Docker words this way: [lowest, highest). */
  range: [number, number];
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 24 * HOUR;

const DURATION =
  /Less than a second|About a minute|About an hour|(\d+) (seconds?|minutes|hours|days|weeks|months|years)/;

/** The durations Docker's HumanDuration (go-units) words as `text`. */
function rangeOf(match: RegExpExecArray): [number, number] {
  if (match[0] === 'Less than a second') return [0, 1];
  if (match[0] === 'About a minute') return [MINUTE, 2 * MINUTE];
  if (match[0] === 'About an hour') return [HOUR, 1.5 * HOUR];
  const n = Number(match[1]);
  switch (match[2]) {
    case 'second':
    case 'seconds':
      return [n, n + 1];
    case 'minutes':
      return [n * MINUTE, (n + 1) * MINUTE];
    case 'hours': // rounded to the nearest hour
      return [(n - 0.5) * HOUR, (n + 0.5) * HOUR];
    case 'days': // from rounded hours, so half an hour either way
      return [n * DAY - HOUR / 2, (n + 1) * DAY + HOUR / 2];
    case 'weeks':
      return [n * 7 * DAY - HOUR / 2, (n + 1) * 7 * DAY + HOUR / 2];
    case 'months':
      return [n * 30 * DAY - HOUR / 2, (n + 1) * 30 * DAY + HOUR / 2];
    default: // years
      return [n * 365 * DAY, (n + 1) * 365 * DAY];
  }
}

/** Undefined for any wording without a duration or not known here (the status is then compared whole). */
export function parseStatusPhrase(status: string | undefined): StatusPhrase | undefined {
  if (!status) return undefined;
  const since = status.startsWith('Up ') ? 'started' : /^(Exited|Restarting) \(-?\d+\) /.test(status) ? 'finished' : undefined;
  if (!since) return undefined;
  const match = DURATION.exec(status);
  if (!match) return undefined;
  const shape = status.slice(0, match.index) + '<duration>' + status.slice(match.index + match[0].length);
  return { shape, since, range: rangeOf(match) };
}

/** Tolerance for the moment the engine worded the status against the moment we check it (s). */
const SLACK_SECONDS = 1;

/** Whether a state that began at `atMs` is worded `phrase` at `nowMs`. */
export function fitsPhrase(phrase: StatusPhrase, atMs: number | undefined, nowMs: number): boolean {
  if (atMs === undefined) return false;
  const age = (nowMs - atMs) / 1000;
  return age >= phrase.range[0] - SLACK_SECONDS && age < phrase.range[1] + SLACK_SECONDS;
}
