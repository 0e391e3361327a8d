/**
 * Durations in words, as the upstream CLI prints them with chrono-humanize: precise up to 20
 * seconds ("Up 11 seconds"), rough beyond ("a minute", "5 minutes", "an hour", "2 days").
 */

export type Tense = 'past' | 'present' | 'future';
export type Accuracy = 'rough' | 'precise';

const MINUTE = 60;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;
const MONTH = 30 * DAY;
const YEAR = 365 * DAY;

type Unit = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'year';
type Period = { unit: Unit; n: number } | 'now';

/** Whole seconds, truncated toward zero as chrono's num_seconds, then made positive. */
function seconds(ms: number): number {
  return Math.abs(Math.trunc(ms / 1000));
}

function roughPeriod(ms: number): Period {
  const n = seconds(ms);
  if (n > 547 * DAY) return { unit: 'year', n: Math.max(Math.floor(n / YEAR), 2) };
  if (n > 345 * DAY) return { unit: 'year', n: 1 };
  if (n > 45 * DAY) return { unit: 'month', n: Math.max(Math.floor(n / MONTH), 2) };
  if (n > 29 * DAY) return { unit: 'month', n: 1 };
  if (n > 10 * DAY + 12 * HOUR) return { unit: 'week', n: Math.max(Math.floor(n / WEEK), 2) };
  if (n > 6 * DAY + 12 * HOUR) return { unit: 'week', n: 1 };
  if (n > 36 * HOUR) return { unit: 'day', n: Math.max(Math.floor(n / DAY), 2) };
  if (n > 22 * HOUR) return { unit: 'day', n: 1 };
  if (n > 90 * MINUTE) return { unit: 'hour', n: Math.max(Math.floor(n / HOUR), 2) };
  if (n > 45 * MINUTE) return { unit: 'hour', n: 1 };
  if (n > 90) return { unit: 'minute', n: Math.max(Math.floor(n / MINUTE), 2) };
  if (n > 45) return { unit: 'minute', n: 1 };
  if (n > 10) return { unit: 'second', n };
  return 'now';
}

function precisePeriods(ms: number): Period[] {
  let rest = seconds(ms);
  const periods: Period[] = [];
  const sizes: [Unit, number][] = [
    ['year', YEAR], ['month', MONTH], ['week', WEEK], ['day', DAY], ['hour', HOUR], ['minute', MINUTE],
  ];
  for (const [unit, size] of sizes) {
    if (rest >= size) {
      periods.push({ unit, n: Math.floor(rest / size) });
      rest %= size;
    }
  }
  if (rest > 0 || periods.length === 0) periods.push({ unit: 'second', n: rest });
  return periods;
}

function periodText(p: Period, accuracy: Accuracy): string {
  if (p === 'now') return 'now';
  if (p.n !== 1 || (accuracy === 'rough' && p.unit === 'second')) return `${p.n} ${p.unit}s`;
  if (accuracy === 'precise') return `1 ${p.unit}`;
  return p.unit === 'hour' ? 'an hour' : `a ${p.unit}`;
}

/** chrono-humanize's `to_text_en(accuracy, tense)` for a duration in milliseconds. */
export function humanize(ms: number, accuracy: Accuracy, tense: Tense): string {
  const periods = accuracy === 'rough' ? [roughPeriod(ms)] : precisePeriods(ms);
  const texts = periods.map((p) => periodText(p, accuracy));
  const last = texts.length > 1 ? texts.pop() : undefined;
  let text = texts.join(', ');
  if (last !== undefined) text = `${text} and ${last}`;
  if (tense === 'past') return `${text} ago`;
  if (tense === 'future') return `in ${text}`;
  return text;
}

/** The upstream list's rule: precise wording up to 20 seconds, rough beyond. */
export function timeString(elapsedMs: number, tense: Tense): string {
  return humanize(elapsedMs, elapsedMs <= 20_000 ? 'precise' : 'rough', tense);
}
