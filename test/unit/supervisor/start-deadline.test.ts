import { CAP_FACTOR, PROGRESS_WINDOW_MS, StartDeadline, cpuMsFromStat } from '../../../src/supervisor/start-deadline';

/** Observations every `everyMs` from 0 to `untilMs`, CPU growing at `share` of a CPU; the last verdict. */
function run(d: StartDeadline, untilMs: number, share: (t: number) => number | undefined, everyMs = 500): { at: number; reason: string } | undefined {
  let cpu = 0;
  for (let t = 0; t <= untilMs; t += everyMs) {
    const s = share(t);
    if (s !== undefined) cpu += s * everyMs;
    const reason = d.check(t, s === undefined ? undefined : cpu);
    if (reason) return { at: t, reason };
  }
  return undefined;
}

describe('StartDeadline', () => {
  it('gives up on an idle start at the deadline, as a plain deadline does', () => {
    expect(run(new StartDeadline(30_000, 0), 600_000, () => 0)).toEqual({ at: 30_000, reason: 'not ready 30s after start' });
  });

  it('waits for a start that keeps working past the deadline (TCG, a loaded host)', () => {
    expect(run(new StartDeadline(30_000, 0), 200_000, () => 0.3)).toBeUndefined();
  });

  it('gives up once a slow start stops working, naming the idle window', () => {
    const r = run(new StartDeadline(30_000, 0), 600_000, (t) => (t < 60_000 ? 0.5 : 0.01));
    expect(r?.at).toBeGreaterThan(60_000);
    expect(r?.at).toBeLessThanOrEqual(60_000 + PROGRESS_WINDOW_MS);
    expect(r?.reason).toMatch(/^not ready \d+s after start \(no progress in the last 10s\)$/);
  });

  it('gives up on a process that is busy all along at the cap (a busy loop)', () => {
    expect(run(new StartDeadline(30_000, 0), 600_000, () => 1)).toEqual({ at: 30_000 * CAP_FACTOR, reason: 'not ready 300s after start (busy all along)' });
  });

  it('without CPU figures (no /proc): the plain deadline', () => {
    expect(run(new StartDeadline(30_000, 0), 600_000, () => undefined)).toEqual({ at: 30_000, reason: 'not ready 30s after start' });
  });

  it('reads utime, stime, cutime and cstime from /proc/<pid>/stat, whatever the comm holds', () => {
    const stat = '4242 (dock erd) (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 7 3 20 0 12 0 1000 0 0';
    expect(cpuMsFromStat(stat)).toBe(2100);
    expect(cpuMsFromStat('4242 (x) S 1 2')).toBeUndefined();
  });
});
