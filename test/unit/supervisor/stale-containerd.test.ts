import { mkdtempSync, mkdirSync, existsSync, writeFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { clearStaleContainerd } from '../../../src/supervisor/stale-containerd';

describe('clearStaleContainerd', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stale-'));
  const pidfile = path.join(dir, 'containerd', 'containerd.pid');
  beforeEach(() => {
    mkdirSync(path.dirname(pidfile), { recursive: true });
    writeFileSync(pidfile, '4242');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a zombie', 'Z', true],
    ['a process that is gone', undefined, true],
    ['a live containerd', 'S', false],
  ])('%s: pidfile removed = %s', async (_what, state, removed) => {
    expect(await clearStaleContainerd(dir, async (pid) => (pid === 4242 ? state : undefined))).toBe(removed);
    expect(existsSync(pidfile)).toBe(!removed);
  });

  it('does nothing without a pidfile', async () => {
    rmSync(pidfile);
    expect(await clearStaleContainerd(dir, async () => { throw new Error('not called'); })).toBe(false);
  });
});
