/**
 * The process table reads real /proc: a process's state comes from /proc/<pid>/status (never
 * /proc/<pid>/stat, which costs an AppArmor ptrace-read check across the snap's apps).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { procTable, stateFromStatus } from '../../../src/supervisor/adopt';

test('the state letter is read from a status text', () => {
  expect(stateFromStatus('Name:\tnode\nUmask:\t0022\nState:\tT (stopped)\nTgid:\t7\n')).toBe('T');
  expect(stateFromStatus('Name:\tx\nState:\tt (tracing stop)\n')).toBe('t');
  expect(stateFromStatus('Name:\tx\n')).toBeUndefined();
  expect(stateFromStatus(undefined)).toBeUndefined();
});

test('a real child reads as sleeping, stopped after SIGSTOP, and gone once reaped', async () => {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const pid = child.pid as number;
  try {
    expect(await procTable.state(pid)).toMatch(/^[RS]$/);
    expect(await procTable.cmdline(pid)).toContain('-e');
    process.kill(pid, 'SIGSTOP');
    let state: string | undefined;
    // The stop is asynchronous: the kernel delivers it on the child's next return to user space.
    while ((state = await procTable.state(pid)) !== 'T') await new Promise((r) => setImmediate(r));
    expect(state).toBe('T');
  } finally {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  expect(await procTable.state(pid)).toBeUndefined();
});
