import { FakeClock } from '../../../src/util/clock';

describe('FakeClock', () => {
  it('wakes sleepers in time order only when advanced', async () => {
    const clock = new FakeClock(0);
    const woke: number[] = [];
    void clock.sleep(200).then(() => woke.push(200));
    void clock.sleep(100).then(() => woke.push(100));
    await clock.advance(150);
    expect(woke).toEqual([100]);
    await clock.advance(100);
    expect(woke).toEqual([100, 200]);
    expect(clock.now()).toBe(250);
  });
});
