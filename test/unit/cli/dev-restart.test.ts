import { restartDevEdged } from '../../../src/cli/system/dev-restart';
import { fakeDevRestart } from '../../helpers/fake-dev-restart';

const ARGV = ['/usr/bin/node', '/repo/bin/edged', '--config', '/repo/.tmp/run/config.toml', '--home', '/repo/.tmp/run/edged'];

describe('restarting the development edged', () => {
  it('stops it, waits for it to exit, and starts it again with the same argv, cwd and environment', async () => {
    const f = fakeDevRestart({ pid: 4242, argv: ARGV, cwd: '/repo', environ: 'AZIOT_LOG_LEVEL=debug\0PATH=/usr/bin\0', exitsAfterPolls: 3 });
    const line = await restartDevEdged({ pid: 4242, how: 'proc' }, { home: '/repo/.tmp/run/edged' }, f.io);
    expect(f.killed).toEqual([[4242, 'SIGTERM']]);
    expect(f.launched).toEqual([{ argv: ARGV, cwd: '/repo', env: { AZIOT_LOG_LEVEL: 'debug', PATH: '/usr/bin' }, logFile: '/repo/.tmp/run/edged/edged.log' }]);
    expect(f.pids).toEqual([['/repo/.tmp/run/edged/edged.pid', 5151]]);
    expect(line).toBe(`Restarted edged: pid 4242 stopped, pid 5151 started (${ARGV.join(' ')}, in /repo); its output is appended to /repo/.tmp/run/edged/edged.log.`);
  });

  it('an edged that does not exit in time is not started twice', async () => {
    const f = fakeDevRestart({ pid: 4242, argv: ARGV, cwd: '/repo', exitsAfterPolls: Infinity });
    await expect(restartDevEdged({ pid: 4242, how: 'pidfile' }, { home: '/h', exitTimeoutMs: 1000, pollMs: 100 }, f.io)).rejects.toMatchObject({
      message: 'edged (pid 4242) did not exit within 1 s of SIGTERM; it was not started again',
      hint: 'look at /h/edged.log, then `kill -9 4242` and start edged again',
    });
    expect(f.launched).toEqual([]);
  });

  it('a process whose command line cannot be read is not signalled', async () => {
    const f = fakeDevRestart({ pid: 4242, argv: ARGV, cwd: '/repo' });
    await expect(restartDevEdged({ pid: 99, how: 'pidfile' }, { home: '/h' }, f.io)).rejects.toThrow(/^cannot read how edged \(pid 99\) was started/);
    expect(f.killed).toEqual([]);
  });
});
