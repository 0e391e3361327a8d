import { PassQueue } from '../../../src/agent/pass-queue';
import { flushMicrotasks } from '../../../src/util/clock';

/** Passes that finish only when the test says so. */
function harness() {
  const log: string[] = [];
  const open = new Map<string, () => void>();
  const run = (label: string) =>
    new Promise<string>((resolve) => {
      log.push(`start ${label}`);
      open.set(label, () => {
        log.push(`end ${label}`);
        resolve(label);
      });
    });
  const q = new PassQueue<string>(
    () => run('full'),
    (name) => run(name),
  );
  const finish = async (label: string) => {
    open.get(label)!();
    open.delete(label);
    await flushMicrotasks();
  };
  return { q, log, finish };
}

it('runs passes of different modules concurrently, one at a time per module', async () => {
  const { q, log, finish } = harness();
  const a1 = q.module('a');
  const b = q.module('b');
  const a2 = q.module('a');
  const a3 = q.module('a');
  await flushMicrotasks();
  expect(log).toEqual(['start a', 'start b']);
  await finish('a');
  expect(log).toEqual(['start a', 'start b', 'end a', 'start a']);
  await finish('a');
  await finish('b');
  expect(await a1).toBe('a');
  expect(await Promise.all([a2, a3, b])).toEqual(['a', 'a', 'b']);
});

it('a full pass waits for running module passes, runs alone, and covers requests made meanwhile', async () => {
  const { q, log, finish } = harness();
  void q.module('a');
  const full = q.full();
  const b = q.module('b');
  await flushMicrotasks();
  expect(log).toEqual(['start a']);
  await finish('a');
  expect(log).toEqual(['start a', 'end a', 'start full']);
  await finish('full');
  expect(await full).toBe('full');
  expect(await b).toBe('full');
  await q.idle();
});
