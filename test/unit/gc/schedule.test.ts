import { firstRunAt as first, nextRunAfter as next, systemUtcOffset } from '../../../src/gc/schedule';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const utc = () => 0;
/** Europe/Berlin in 2026: CET (+1h), CEST (+2h) from 2026-03-29T01:00Z. */
const berlin = (t: number) => (t >= Date.parse('2026-03-29T01:00:00Z') ? 2 : 1) * 3600_000;

describe('image gc schedule (UTC)', () => {
  const s = { cleanupMinutes: 0, startupDelayMs: 5 * MIN, recurrenceMs: DAY };
  const firstRunAt = (t: number, x: typeof s) => first(t, x, utc);
  const nextRunAfter = (p: number, n: number, x: typeof s) => next(p, n, x, utc);

  it('first runs at the next cleanup time', () => {
    expect(new Date(firstRunAt(Date.parse('2026-01-01T10:00:00Z'), s)).toISOString()).toBe('2026-01-02T00:00:00.000Z');
    expect(new Date(firstRunAt(Date.parse('2026-01-01T10:00:00Z'), { ...s, cleanupMinutes: 11 * 60 })).toISOString()).toBe(
      '2026-01-01T11:00:00.000Z',
    );
  });

  it('never runs within the startup delay, even when cleanup time is just after start', () => {
    expect(new Date(firstRunAt(Date.parse('2026-01-01T23:58:00Z'), s)).toISOString()).toBe('2026-01-03T00:00:00.000Z');
    expect(new Date(firstRunAt(Date.parse('2026-01-01T00:00:00Z'), s)).toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });

  it('recurs every N days at cleanup time, skipping slots that passed', () => {
    const prev = Date.parse('2026-01-02T00:00:00Z');
    const two = { ...s, recurrenceMs: 2 * DAY };
    expect(new Date(nextRunAfter(prev, prev + MIN, two)).toISOString()).toBe('2026-01-04T00:00:00.000Z');
    expect(new Date(nextRunAfter(prev, Date.parse('2026-01-09T12:00:00Z'), two)).toISOString()).toBe('2026-01-10T00:00:00.000Z');
  });
});

describe('image gc schedule (local time with daylight saving)', () => {
  const firstRunAt = (t: number, x: Parameters<typeof first>[1]) => first(t, x, berlin);
  const nextRunAfter = (p: number, n: number, x: Parameters<typeof next>[2]) => next(p, n, x, berlin);

  it('keeps the local cleanup time across the spring change', () => {
    const s = { cleanupMinutes: 90, startupDelayMs: 0, recurrenceMs: DAY };
    const first = firstRunAt(Date.parse('2026-03-28T00:00:00Z'), s); // 01:00 CET
    expect(new Date(first).toISOString()).toBe('2026-03-28T00:30:00.000Z'); // 01:30 CET
    const second = nextRunAfter(first, first + MIN, s);
    expect(new Date(second).toISOString()).toBe('2026-03-29T00:30:00.000Z'); // 01:30 CET, before the change
    const third = nextRunAfter(second, second + MIN, s);
    expect(new Date(third).toISOString()).toBe('2026-03-29T23:30:00.000Z'); // 01:30 CEST
  });

  it('uses the process time zone by default', () => {
    const t = Date.parse('2026-01-01T12:00:00Z');
    expect(systemUtcOffset(t)).toBe(-new Date(t).getTimezoneOffset() * 60_000);
  });
});
