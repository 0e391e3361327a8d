import { fitsPhrase, parseStatusPhrase } from '../../../src/runtime/docker/status-phrase';

describe("Docker's list status wording", () => {
  it.each([
    ['Up Less than a second', 'Up <duration>', 'started', [0, 1]],
    ['Up 1 second', 'Up <duration>', 'started', [1, 2]],
    ['Up 42 seconds (health: starting)', 'Up <duration> (health: starting)', 'started', [42, 43]],
    ['Up About a minute', 'Up <duration>', 'started', [60, 120]],
    ['Up 5 minutes (unhealthy)', 'Up <duration> (unhealthy)', 'started', [300, 360]],
    ['Up About an hour', 'Up <duration>', 'started', [3600, 5400]],
    ['Up 3 hours (Paused)', 'Up <duration> (Paused)', 'started', [9000, 12600]],
    ['Exited (0) 2 days ago', 'Exited (0) <duration> ago', 'finished', [2 * 86400 - 1800, 3 * 86400 + 1800]],
    ['Exited (137) 3 weeks ago', 'Exited (137) <duration> ago', 'finished', [21 * 86400 - 1800, 28 * 86400 + 1800]],
    ['Exited (-1) 2 months ago', 'Exited (-1) <duration> ago', 'finished', [60 * 86400 - 1800, 90 * 86400 + 1800]],
    ['Restarting (1) 4 seconds ago', 'Restarting (1) <duration> ago', 'finished', [4, 5]],
    ['Exited (1) 2 years ago', 'Exited (1) <duration> ago', 'finished', [2 * 365 * 86400, 3 * 365 * 86400]],
  ])('%s', (status, shape, since, range) => {
    expect(parseStatusPhrase(status)).toEqual({ shape, since, range });
  });

  it.each(['Created', 'Dead', 'Removal In Progress', '', undefined, 'Up for a while'])('no duration in %p', (status) => {
    expect(parseStatusPhrase(status)).toBeUndefined();
  });

  it('a time fits the wording with a second of slack either way', () => {
    const phrase = parseStatusPhrase('Up 5 minutes')!;
    const now = 1_000_000_000;
    expect(fitsPhrase(phrase, now - 300_000, now)).toBe(true);
    expect(fitsPhrase(phrase, now - 299_500, now)).toBe(true);
    expect(fitsPhrase(phrase, now - 361_500, now)).toBe(false);
    expect(fitsPhrase(phrase, now - 1_000, now)).toBe(false);
    expect(fitsPhrase(phrase, undefined, now)).toBe(false);
  });
});
