import { startTestEngine, TestEngine } from '../helpers/engine';

describe('test engine', () => {
  let engine: TestEngine;
  beforeAll(async () => {
    engine = await startTestEngine();
  });
  afterAll(async () => engine?.stop());

  it('runs a locally built image', async () => {
    const out = engine.cli('run', '--rm', 'edge-test/busybox:1', 'echo', 'hello');
    expect(out.trim()).toBe('hello');
  });
});
