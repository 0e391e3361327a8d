import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent, PLANNED_STOP_HOLD_MS } from '../../../src/agent/agent';
import { writeEngineOutage } from '../../../src/util/engine-outage-record';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';
import type { RuntimeEvent } from '../../../src/runtime/types';
import { FakeRuntime } from '../../helpers/fake-runtime';
import { deployment } from '../../integration/agent/harness';

/** Real file I/O behind a fake clock: wait for the condition, bounded. */
async function until(what: string, fn: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !fn(); i++) await new Promise((r) => setTimeout(r, 5));
  if (!fn()) throw new Error(`timed out waiting for ${what}`);
}

/** A FakeRuntime whose event stream is the test's to feed and break. */
class StreamRuntime extends FakeRuntime {
  fail?: () => void;
  private deliver?: (e: RuntimeEvent) => void;
  emit(e: RuntimeEvent): void {
    this.deliver?.(e);
  }
  override events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          new Promise<IteratorResult<RuntimeEvent>>((resolve, reject) => {
            this.deliver = (value) => resolve({ value, done: false });
            this.fail = () => reject(new Error('engine gone'));
            signal.addEventListener('abort', () => reject(signal.reason), { once: true });
          }),
      }),
    };
  }
}

it('an edged started after the engine went away (a planned stop of it) still starts the modules stopped with it at once', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'agent-outage-'));
  try {
    const clock = new FakeClock();
    const runtime = new StreamRuntime(clock);
    const files = { reportedStateFile: path.join(home, 'reported-state.json'), outageFile: path.join(home, 'engine-outage.json') };
    const first = new Agent({ runtime, clock, logger: memoryLogger(), lock: new Mutex(), ...files });
    await first.start();
    await first.applyText(deployment({ aa: { restartPolicy: 'always' } }));
    // The engine's planned stop: the module stops (the first edged sees it), then the stream breaks.
    await clock.advance(60_000);
    const aa = runtime.modules.get('aa')!;
    aa.state = { ...aa.state, status: 'failed', statusDescription: 'exited', exitCode: 143, finishedAt: new Date(clock.now()) };
    await first.kick(['aa']);
    runtime.fail!();
    await until('the outage recorded', () => existsSync(files.outageFile));
    expect(JSON.parse(readFileSync(files.outageFile, 'utf8')).from).toBeLessThanOrEqual(clock.now() - 30_000);
    await first.stop(); // its reported state now holds this exit, as a crash it saw would

    runtime.calls.length = 0;
    await clock.advance(5000);
    const second = new Agent({ runtime, clock, logger: memoryLogger(), lock: new Mutex(), ...files });
    await second.start();
    await second.applyText(deployment({ aa: { restartPolicy: 'always' } }));
    expect(runtime.calls).toEqual(['start aa']);
    expect((await second.reportedState()).modules.aa.restartCount).toBe(0);
    await until('the outage over (the engine answered)', () => !existsSync(files.outageFile));
    await second.stop();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

it("a planned stop announced by the engine's supervisor: the running edged neither restarts nor backs off what stops, the next starts it at once", async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'agent-outage-'));
  try {
    const clock = new FakeClock();
    const runtime = new StreamRuntime(clock);
    const files = { reportedStateFile: path.join(home, 'reported-state.json'), outageFile: path.join(home, 'engine-outage.json') };
    const log = memoryLogger();
    const first = new Agent({ runtime, clock, logger: log, lock: new Mutex(), ...files });
    await first.start();
    await first.applyText(deployment({ aa: { restartPolicy: 'always' } }));
    await clock.advance(60_000);
    // The dockerd service's stop: the record first, then docker stop of every container.
    await writeEngineOutage(files.outageFile, { from: clock.now(), planned: true });
    const aa = runtime.modules.get('aa')!;
    aa.state = { ...aa.state, status: 'failed', statusDescription: 'exited', exitCode: 143, finishedAt: new Date(clock.now()) };
    runtime.calls.length = 0;
    runtime.emit({ name: 'aa', action: 'die', exitCode: 143, time: new Date(clock.now()) });
    await until('the planned stop noted', () => log.lines.some((l) => l.includes('being stopped on purpose')));
    await first.kick(['aa']);
    await clock.advance(20_000);
    expect(runtime.calls).toEqual([]);
    expect(first.moduleStatus('aa')).toBeUndefined();
    expect((await first.reportedState()).modules.aa.restartCount).toBe(0);
    runtime.fail!();
    await first.stop();

    await clock.advance(5000);
    const second = new Agent({ runtime, clock, logger: memoryLogger(), lock: new Mutex(), ...files });
    await second.start();
    await second.applyText(deployment({ aa: { restartPolicy: 'always' } }));
    expect(runtime.calls).toEqual(['start aa']);
    expect((await second.reportedState()).modules.aa.restartCount).toBe(0);
    await second.stop();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

it('a planned-stop record left behind (no stop came) holds restarts for a bounded time only', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'agent-outage-'));
  try {
    const clock = new FakeClock();
    const runtime = new StreamRuntime(clock);
    const outageFile = path.join(home, 'engine-outage.json');
    const agent = new Agent({ runtime, clock, logger: memoryLogger(), lock: new Mutex(), outageFile });
    await agent.start();
    await agent.applyText(deployment({ aa: { restartPolicy: 'always' } }));
    await writeEngineOutage(outageFile, { from: clock.now() - PLANNED_STOP_HOLD_MS - 1, planned: true });
    const aa = runtime.modules.get('aa')!;
    aa.state = { ...aa.state, status: 'failed', statusDescription: 'exited', exitCode: 1, finishedAt: new Date(clock.now()) };
    runtime.emit({ name: 'aa', action: 'die', exitCode: 1, time: new Date(clock.now()) });
    await until('the crash handled as a crash', () => agent.moduleStatus('aa') !== undefined || runtime.calls.includes('start aa'));
    await agent.stop();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

it('an unreadable outage record (cut short, hand-edited) is no outage: the agent still starts', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'agent-outage-'));
  try {
    const clock = new FakeClock();
    const outageFile = path.join(home, 'engine-outage.json');
    writeFileSync(outageFile, '{"from": 17');
    const agent = new Agent({ runtime: new StreamRuntime(clock), clock, logger: memoryLogger(), lock: new Mutex(), outageFile });
    await agent.start();
    await agent.stop();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
