import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent } from '../../../src/agent/agent';
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

/** A FakeRuntime whose event stream is the test's to open and break. */
class StreamRuntime extends FakeRuntime {
  fail?: () => void;
  override events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return {
      [Symbol.asyncIterator]: () => ({
        next: () =>
          new Promise<IteratorResult<RuntimeEvent>>((_, reject) => {
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
