import { humanize, timeString } from '../../../src/cli/format/humanize';

const s = 1000;
const MIN = 60 * s;
const H = 60 * MIN;
const D = 24 * H;

describe('timeString: precise up to 20 s, then rough (as chrono-humanize in upstream list.rs)', () => {
  test.each([
    [0, '0 seconds'],
    [999, '0 seconds'],
    [1 * s, '1 second'],
    [11 * s, '11 seconds'],
    [11.9 * s, '11 seconds'],
    [20 * s, '20 seconds'],
    [20.5 * s, '20 seconds'], // rough from here on: > 10 s is still "N seconds"
    [45 * s, '45 seconds'],
    [46 * s, 'a minute'],
    [90 * s, 'a minute'],
    [91 * s, '2 minutes'],
    [5 * MIN, '5 minutes'],
    [45 * MIN, '45 minutes'],
    [46 * MIN, 'an hour'],
    [90 * MIN, 'an hour'],
    [91 * MIN, '2 hours'], // beyond 90 minutes: max(hours, 2)
    [2 * H, '2 hours'],
    [22 * H, '22 hours'],
    [23 * H, 'a day'],
    [36 * H, 'a day'],
    [37 * H, '2 days'],
    [3 * D, '3 days'],
    [7 * D, 'a week'],
    [11 * D, '2 weeks'],
    [30 * D, 'a month'],
    [60 * D, '2 months'],
    [346 * D, 'a year'],
    [800 * D, '2 years'],
  ])('%d ms -> %s', (ms, text) => {
    expect(timeString(ms, 'present')).toBe(text);
  });

  test('tenses', () => {
    expect(timeString(5 * MIN, 'past')).toBe('5 minutes ago');
    expect(timeString(3 * s, 'past')).toBe('3 seconds ago');
    expect(timeString(3 * s, 'future')).toBe('in 3 seconds');
  });

  test('a start time slightly in the future (clock skew) reads as its absolute value', () => {
    expect(timeString(-2 * s, 'present')).toBe('2 seconds');
  });
});

describe('humanize', () => {
  test('precise lists every unit, joined with commas and "and"', () => {
    expect(humanize(D + 2 * H + 3 * MIN + 4 * s, 'precise', 'past')).toBe('1 day, 2 hours, 3 minutes and 4 seconds ago');
    expect(humanize(2 * MIN, 'precise', 'present')).toBe('2 minutes');
  });

  test('rough says "now" for 10 seconds or less', () => {
    expect(humanize(10 * s, 'rough', 'present')).toBe('now');
  });
});
