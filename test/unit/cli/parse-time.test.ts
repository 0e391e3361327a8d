import { parseDuration, parseTail, parseTime, parseTimeOption } from '../../../src/cli/time/parse-time';
import { BadRequestError } from '../../../src/errors';

const NOW = Date.UTC(2026, 0, 31, 12, 0, 0);
const NOW_S = NOW / 1000;

describe('parseDuration (humantime grammar)', () => {
  test.each([
    ['90m', 90 * 60e3],
    ['1 day', 86400e3],
    ['1d', 86400e3],
    ['2 days 3 hours', (2 * 24 + 3) * 3600e3],
    ['2 days 3 hours 2 minutes', ((2 * 24 + 3) * 60 + 2) * 60e3],
    ['1h30m', 90 * 60e3],
    ['90 minutes', 90 * 60e3],
    ['0d', 0],
    ['10s', 10e3],
    ['500ms', 500],
    ['1w', 7 * 86400e3],
    ['1M', 2_630_016e3],
    ['1y', 31_557_600e3],
  ])('%s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  test.each(['', 'yesterday', '10', 'm10', '1.5h', '3 fortnights', '1 day,', '1constructor', '2 toString'])('rejects %j', (text) =>
    expect(parseDuration(text)).toBeUndefined(),
  );
});

describe('parseTime: RFC 3339, unix seconds, or a duration back from now', () => {
  test('RFC 3339', () => {
    expect(parseTime('2019-09-27T16:00:00+00:00', NOW)).toBe(1_569_600_000);
    expect(parseTime('2019-09-27T16:00:00Z', NOW)).toBe(1_569_600_000);
    expect(parseTime('2019-09-27T18:00:00.5+02:00', NOW)).toBe(1_569_600_000);
  });
  test('unix seconds', () => expect(parseTime('1569600000', NOW)).toBe(1_569_600_000));
  test('durations count back from the injected now', () => {
    expect(parseTime('1 hour', NOW)).toBe(NOW_S - 3600);
    expect(parseTime('1 day', NOW)).toBe(NOW_S - 86400);
    expect(parseTime('90m', NOW)).toBe(NOW_S - 5400);
    expect(parseTime('0d', NOW)).toBe(NOW_S);
  });
  test('anything else is undefined', () => {
    expect(parseTime('asdfasdf', NOW)).toBeUndefined();
    expect(parseTime('2019-13-45', NOW)).toBeUndefined();
  });
  test('parseTimeOption names the option in a usage error', () => {
    expect(() => parseTimeOption('until', 'later', NOW)).toThrow(BadRequestError);
    expect(() => parseTimeOption('until', 'later', NOW)).toThrow("invalid --until value 'later'");
  });
});

describe('parseTail', () => {
  test('all or a number', () => {
    expect(parseTail('all')).toBe('all');
    expect(parseTail('20')).toBe(20);
    expect(parseTail('0')).toBe(0);
  });
  test.each(['-1', 'ten', '1.5', ''])('rejects %j with exit code 2', (text) => {
    try {
      parseTail(text);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(BadRequestError);
      expect((e as BadRequestError).exitCode).toBe(2);
    }
  });
});
