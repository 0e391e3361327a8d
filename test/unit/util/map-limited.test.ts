import { mapLimited } from '../../../src/util/map-limited';

/** A call that stays in flight until released, so concurrency is observed, not timed. */
function gate() {
  const waiting: (() => void)[] = [];
  let inFlight = 0;
  let most = 0;
  return {
    fn: async (x: number) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise<void>((r) => waiting.push(r));
      inFlight--;
      return x * 2;
    },
    release: () => waiting.splice(0).forEach((r) => r()),
    get waiting() {
      return waiting.length;
    },
    get most() {
      return most;
    },
  };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('mapLimited', () => {
  it('never has more than limit calls in flight and answers in input order', async () => {
    const g = gate();
    const done = mapLimited([1, 2, 3, 4, 5, 6, 7], 3, g.fn);
    for (let i = 0; i < 5; i++) {
      await settle();
      expect(g.waiting).toBeLessThanOrEqual(3);
      g.release();
    }
    await expect(done).resolves.toEqual([2, 4, 6, 8, 10, 12, 14]);
    expect(g.most).toBe(3);
  });

  it('starts no call after a rejection and answers the first rejection', async () => {
    const calls: number[] = [];
    const run = mapLimited([1, 2, 3, 4, 5], 1, async (x) => {
      calls.push(x);
      if (x === 2) throw new Error('two failed');
      return x;
    });
    await expect(run).rejects.toThrow('two failed');
    expect(calls).toEqual([1, 2]);
  });

  it('handles no items and a limit larger than the items', async () => {
    await expect(mapLimited([], 4, async (x: number) => x)).resolves.toEqual([]);
    await expect(mapLimited([1, 2], 10, async (x) => x + 1)).resolves.toEqual([2, 3]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses the limit %p with a clear message', async (limit) => {
    await expect(mapLimited([1], limit, async (x) => x)).rejects.toThrow(/limit must be a positive integer/);
  });
});
