import { ConfigError, ExitCode, formatError } from '../../../src/errors';
import {
  formatDuration,
  parseCleanupTime,
  parseDuration,
  parseGcSettings,
  parseRecurrence,
} from '../../../src/config/image-gc';

const H = 3600_000;
const D = 24 * H;

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('image gc settings', () => {
  it('has upstream defaults', () => {
    expect(parseGcSettings(undefined)).toEqual({
      enabled: true,
      recurrenceMs: D,
      thresholdMs: 7 * D,
      cleanupMinutes: 0,
      startupDelayMs: 5 * 60_000,
    });
  });

  it('parses humantime-style durations', () => {
    expect(parseDuration('1d', 'k')).toBe(D);
    expect(parseDuration('12h', 'k')).toBe(12 * H);
    expect(parseDuration('30m', 'k')).toBe(30 * 60_000);
    expect(parseDuration('1w', 'k')).toBe(7 * D);
    expect(parseDuration('1d 12h', 'k')).toBe(36 * H);
    expect(parseDuration('2days', 'k')).toBe(2 * D);
    expect(parseDuration('90min', 'k')).toBe(90 * 60_000);
  });

  it('names the key, the value and the fix for a bad duration', () => {
    const e = errorOf(() => parseGcSettings({ image_age_cleanup_threshold: '7 dayz' }));
    expect(e.exitCode).toBe(ExitCode.badConfig);
    expect(formatError(e)).toBe(
      'image_garbage_collection.image_age_cleanup_threshold = "7 dayz" is not a duration (unknown unit "dayz"). ' +
        'Use a number and a unit, e.g. "1d", "12h", "30m", "1w" or "1d 12h"',
    );
    expect(errorOf(() => parseDuration('7', 'k')).message).toContain('a number must come before each unit');
    expect(errorOf(() => parseDuration(7, 'k')).message).toBe('k must be a duration string, got 7');
  });

  it('wants the recurrence in whole days, as upstream', () => {
    expect(parseRecurrence('2d')).toBe(2 * D);
    expect(parseRecurrence('1w')).toBe(7 * D);
    expect(errorOf(() => parseRecurrence('12h')).message).toBe(
      'image_garbage_collection.cleanup_recurrence = "12h" must be a whole number of days',
    );
    expect(errorOf(() => parseRecurrence('1d 1h')).message).toContain('whole number of days');
  });

  it('reads cleanup_time as HH:MM, 24-hour', () => {
    expect(parseCleanupTime('00:00')).toBe(0);
    expect(parseCleanupTime('23:59')).toBe(23 * 60 + 59);
    expect(parseCleanupTime('7:05')).toBe(7 * 60 + 5);
    for (const bad of ['24:00', '12:60', '1200', '12:5', 'noon', '']) {
      expect(formatError(errorOf(() => parseCleanupTime(bad)))).toMatch(
        /^image_garbage_collection\.cleanup_time = ".*" is not a time of day\. Use "HH:MM" in 24-hour local time/,
      );
    }
  });

  it('formats durations back for status output', () => {
    expect(formatDuration(7 * D)).toBe('7d');
    expect(formatDuration(36 * H + 60_000)).toBe('1d 12h 1m');
  });
});
