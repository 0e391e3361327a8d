import { COARSE_UNITS, parseDuration, scanDuration } from '../../../src/util/duration';
import { parseTimeSpec } from '../../../src/util/time-spec';

const NOW = Date.UTC(2026, 0, 2, 12, 0, 0);

describe('the shared humantime duration parser', () => {
  it('takes humantime units, case as written, by default', () => {
    expect(parseDuration('1h 30m')).toBe(90 * 60_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1M')).toBe(2_630_016_000);
    expect(parseDuration('1H')).toBeUndefined();
    expect(parseDuration('1wk')).toBeUndefined();
  });

  it('tries a unit in lower case only when asked', () => {
    expect(parseDuration('1H', { anyCase: true })).toBe(3_600_000);
    expect(parseDuration('2 Days', { anyCase: true })).toBe(2 * 86_400_000);
  });

  it('takes only the units it is given, never an Object property', () => {
    expect(parseDuration('1y', { units: COARSE_UNITS })).toBeUndefined();
    expect(parseDuration('1constructor')).toBeUndefined();
    expect(parseDuration('1 toString', { anyCase: true })).toBeUndefined();
  });

  it('says why a text is not a duration', () => {
    expect(scanDuration('  ')).toEqual({ problem: 'empty' });
    expect(scanDuration('7')).toEqual({ problem: 'number-expected' });
    expect(scanDuration('1h x')).toEqual({ problem: 'number-expected' });
    expect(scanDuration('7 dayz')).toEqual({ problem: 'unknown-unit', unit: 'dayz' });
  });
});

describe('the shared time spec', () => {
  it('is RFC 3339 with seconds, whole unix seconds or a duration back from now', () => {
    expect(parseTimeSpec('2026-01-02T11:00:00Z', NOW)).toBe(NOW / 1000 - 3600);
    expect(parseTimeSpec('1700000000', NOW)).toBe(1_700_000_000);
    expect(parseTimeSpec('1500ms', NOW)).toBe(NOW / 1000 - 2);
    expect(parseTimeSpec('2026-01-02T11:00Z', NOW)).toBeUndefined();
    expect(parseTimeSpec('1700000000.5', NOW)).toBeUndefined();
  });

  it('lenient: also minutes-only RFC 3339, "+hhmm" offsets and fractional seconds', () => {
    expect(parseTimeSpec('2026-01-02T11:00Z', NOW, { lenient: true })).toBe(NOW / 1000 - 3600);
    expect(parseTimeSpec('2026-01-02T12:00:00+0100', NOW, { lenient: true })).toBe(NOW / 1000 - 3600);
    expect(parseTimeSpec('1700000000.5', NOW, { lenient: true })).toBe(1_700_000_000);
  });
});
