import { watchEvents } from '../../../src/agent/event-watcher';
import { WakeScheduler } from '../../../src/agent/scheduler';
import type { ModuleRuntime, RuntimeEvent } from '../../../src/runtime/types';
import { FakeClock, flushMicrotasks } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';

/** A runtime that only knows events(): each subscription plays one script, then ends or fails. */
function scriptedRuntime(scripts: (RuntimeEvent[] | Error)[]): ModuleRuntime & { subscriptions: number } {
  const runtime = {
    subscriptions: 0,
    events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
      const script = scripts[runtime.subscriptions++];
      return {
        async *[Symbol.asyncIterator]() {
          if (script instanceof Error) throw script;
          if (script === undefined) {
            // No more scripts: stay subscribed until aborted.
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
            return;
          }
          yield* script;
        },
      };
    },
  };
  return new Proxy(runtime, {
    get(target, prop) {
      if (prop in target) return (target as Record<string | symbol, unknown>)[prop];
      throw new Error(`fake runtime: ${String(prop)} is not implemented`);
    },
  }) as unknown as ModuleRuntime & { subscriptions: number };
}

const event = (name: string, action: string): RuntimeEvent => ({ name, action, time: new Date(0) });

it('passes events on, and reconnects with a doubling, bounded delay after the stream ends or fails', async () => {
  const clock = new FakeClock();
  const runtime = scriptedRuntime([[event('a', 'die')], new Error('engine gone'), new Error('engine gone'), [event('b', 'start')]]);
  const seen: string[] = [];
  let reconnects = 0;
  const abort = new AbortController();
  const done = watchEvents(
    { runtime, clock, logger: memoryLogger(), onEvent: (e) => seen.push(`${e.name} ${e.action}`), onReconnect: () => reconnects++, minRetryMs: 100, maxRetryMs: 300 },
    abort.signal,
  );
  await flushMicrotasks();
  expect(seen).toEqual(['a die']);
  expect(runtime.subscriptions).toBe(1);
  await clock.advance(99);
  expect(runtime.subscriptions).toBe(1);
  await clock.advance(1); // 100 ms after the end: second subscription, which fails
  expect(runtime.subscriptions).toBe(2);
  expect(reconnects).toBe(1);
  await clock.advance(199);
  expect(runtime.subscriptions).toBe(2);
  await clock.advance(1); // 200 ms: third, fails again; the next delay is capped at 300 (not 400)
  expect(runtime.subscriptions).toBe(3);
  await clock.advance(299);
  expect(runtime.subscriptions).toBe(3);
  await clock.advance(1);
  expect(runtime.subscriptions).toBe(4);
  expect(seen).toEqual(['a die', 'b start']);
  expect(reconnects).toBe(3);
  abort.abort();
  await done;
});

it('the scheduler keeps one timer per module; a new time replaces the old one', async () => {
  const clock = new FakeClock();
  const woke: string[] = [];
  const s = new WakeScheduler(clock, (name, at) => woke.push(`${name}@${at - clock.now()}`));
  const t0 = clock.now();
  s.schedule('a', t0 + 1000);
  s.schedule('a', t0 + 500);
  s.schedule('b', t0 + 800);
  s.schedule('c', t0 - 5); // already due: wakes without waiting for the clock
  await flushMicrotasks();
  expect(woke).toEqual(['c@-5']);
  await clock.advance(1000);
  expect(woke).toEqual(['c@-5', 'a@0', 'b@0']);
  s.schedule('d', clock.now() + 10);
  s.cancel('d');
  await clock.advance(10);
  expect(woke).toHaveLength(3);
});
