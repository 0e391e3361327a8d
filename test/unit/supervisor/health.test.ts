import type { ExecResult } from '../../../src/snap/snapctl';
import { Snapctl } from '../../../src/snap/snapctl';
import { memoryLastWriter, snapHealth } from '../../../src/supervisor/health';
import { memoryLogger } from '../../../src/util/log';

describe('snapHealth', () => {
  it('drops a repeated report, but repeats it after refreshMs (the other service may have overwritten it)', async () => {
    const calls: string[][] = [];
    const exec = async (args: string[]): Promise<ExecResult> => (calls.push(args), { code: 0, stdout: '', stderr: '' });
    let now = 0;
    const health = snapHealth(new Snapctl(exec), memoryLogger(), { now: () => now, refreshMs: 60_000 });
    await health.report({ status: 'okay' });
    await health.report({ status: 'okay' });
    now = 59_000;
    await health.report({ status: 'okay' });
    expect(calls).toEqual([['set-health', 'okay']]);
    now = 61_000;
    await health.report({ status: 'okay' });
    await health.report({ status: 'waiting', message: 'edged is starting', code: 'edged-starting' });
    expect(calls).toEqual([['set-health', 'okay'], ['set-health', 'okay'], ['set-health', '--code=edged-starting', 'waiting', 'edged is starting']]);
  });

  it("lets the latest report win: edged's okay replaces dockerd's engine-restarted at once", async () => {
    const calls: string[][] = [];
    const exec = async (args: string[]): Promise<ExecResult> => (calls.push(args), { code: 0, stdout: '', stderr: '' });
    const shared = memoryLastWriter();
    const now = () => 0;
    const edged = snapHealth(new Snapctl(exec), memoryLogger(), { owner: 'iotedged', lastWriter: shared, now });
    const dockerd = snapHealth(new Snapctl(exec), memoryLogger(), { owner: 'dockerd', lastWriter: shared, now });
    await edged.report({ status: 'okay' });
    await edged.report({ status: 'okay' });
    await dockerd.report({ status: 'waiting', message: 'Docker engine restarted; checking edged', code: 'engine-restarted' });
    await edged.report({ status: 'okay' });
    expect(calls.map((c) => c.at(-1))).toEqual(['okay', 'Docker engine restarted; checking edged', 'okay']);
  });

  it('never throws: a failing snapctl is logged', async () => {
    const logger = memoryLogger();
    const health = snapHealth(new Snapctl(async () => ({ code: 1, stdout: '', stderr: 'denied' })), logger);
    await expect(health.report({ status: 'okay' })).resolves.toBeUndefined();
    expect(logger.lines.join('\n')).toMatch(/cannot set the snap's health: .*denied/);
  });
});
