import type { ExecResult } from '../../../src/snap/snapctl';
import { Snapctl } from '../../../src/snap/snapctl';
import { snapHealth } from '../../../src/supervisor/health';
import { memoryLogger } from '../../../src/util/log';

describe('snapHealth', () => {
  it('drops a repeated report, but repeats it after refreshMs (the other service may have overwritten it)', async () => {
    const calls: string[][] = [];
    const exec = async (args: string[]): Promise<ExecResult> => (calls.push(args), { code: 0, stdout: '', stderr: '' });
    let now = 0;
    const health = snapHealth(new Snapctl(exec), memoryLogger(), () => now, 60_000);
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

  it('never throws: a failing snapctl is logged', async () => {
    const logger = memoryLogger();
    const health = snapHealth(new Snapctl(async () => ({ code: 1, stdout: '', stderr: 'denied' })), logger);
    await expect(health.report({ status: 'okay' })).resolves.toBeUndefined();
    expect(logger.lines.join('\n')).toMatch(/cannot set the snap's health: .*denied/);
  });
});
