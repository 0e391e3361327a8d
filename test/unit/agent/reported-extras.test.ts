import { Agent } from '../../../src/agent/agent';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';
import type { ModuleRuntime } from '../../../src/runtime/types';

describe('reported state', () => {
  it('carries the sections other parts of edged add (the image collector), under the agent own keys', async () => {
    const runtime = { list: async () => [] } as unknown as ModuleRuntime;
    const agent = new Agent({
      runtime,
      clock: new FakeClock(),
      logger: memoryLogger(),
      lock: new Mutex(),
      reportedExtras: () => ({ imageGarbageCollection: { lastRun: { removed: 2, bytesFreed: 10 } }, modules: 'ignored' }),
    });
    const state = await agent.reportedState();
    expect(state.imageGarbageCollection).toEqual({ lastRun: { removed: 2, bytesFreed: 10 } });
    expect(state.modules).toEqual({});
  });
});
