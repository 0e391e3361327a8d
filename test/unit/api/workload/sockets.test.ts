/** The per-module socket directories on a real filesystem (the workload API itself is contract-tested). */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { WorkloadDeps } from '../../../../src/api/workload/routes';
import { WorkloadSockets } from '../../../../src/api/workload/sockets';
import { memoryLogger } from '../../../../src/util/log';

let home: string;
beforeEach(() => (home = mkdtempSync(path.join(os.tmpdir(), 'wsockets-'))));
afterEach(() => rmSync(home, { recursive: true, force: true }));

const mnt = (...p: string[]) => path.join(home, 'mnt', ...p);
const isSocket = (p: string) => existsSync(p) && statSync(p).isSocket();
const api = { listener: () => undefined };

function sockets() {
  return new WorkloadSockets(home, {} as WorkloadDeps, memoryLogger(), {
    extraSockets: (m) => (m === 'edgeAgent' ? [{ name: 'mgmt.sock', api, mode: 0o660 }] : []),
  });
}

it('serves each module in its own 0755 directory under a 0700 mnt (made so again if it was open); edgeAgent\'s also holds the management socket', async () => {
  mkdirSync(mnt(), { mode: 0o755 });
  const s = sockets();
  try {
    expect(await s.ensure('m1')).toBe(mnt('m1', 'workload.sock'));
    expect(statSync(mnt()).mode & 0o777).toBe(0o700);
    await s.ensure('edgeAgent');
    expect(statSync(mnt('m1')).mode & 0o777).toBe(0o755);
    expect(statSync(mnt('m1', 'workload.sock')).mode & 0o777).toBe(0o666);
    expect(isSocket(mnt('edgeAgent', 'workload.sock'))).toBe(true);
    expect(statSync(mnt('edgeAgent', 'mgmt.sock')).mode & 0o777).toBe(0o660);
    expect(existsSync(mnt('m1', 'mgmt.sock'))).toBe(false);
  } finally {
    await s.close();
  }
  // edged stopped: the sockets go, the directories stay for the containers that bind them.
  expect(existsSync(mnt('m1', 'workload.sock'))).toBe(false);
  expect(statSync(mnt('m1')).isDirectory()).toBe(true);
});

it('serves the shared socket to its owner only (0600)', async () => {
  const s = sockets();
  try {
    await s.listenShared(`unix://${home}/workload.sock`);
    expect(statSync(path.join(home, 'workload.sock')).mode & 0o777).toBe(0o600);
  } finally {
    await s.close();
  }
});

it('turns a socket-file bind into the directory, serves the file only when a container binds it, removes both with the module', async () => {
  const s = sockets();
  try {
    expect(await s.adaptBinds('edgeAgent', [`${mnt('edgeAgent.sock')}:/var/run/iotedge/workload.sock`, '/var/run/iotedge/mgmt.sock:/var/run/iotedge/mgmt.sock'])).toEqual([
      `${mnt('edgeAgent')}:/var/run/iotedge:ro`,
    ]);
    expect(existsSync(mnt('edgeAgent.sock'))).toBe(false);
    await s.ensure('m1');
    expect(await s.serveSocketFile('m1')).toBe(mnt('m1.sock'));
    expect(isSocket(mnt('m1.sock'))).toBe(true);
    await s.remove('m1');
    expect(existsSync(mnt('m1'))).toBe(false);
    expect(existsSync(mnt('m1.sock'))).toBe(false);
  } finally {
    await s.close();
  }
});

it('prunes what modules removed while edged was down left, and nothing else', async () => {
  mkdirSync(mnt('gone'), { recursive: true });
  mkdirSync(mnt('kept'), { recursive: true });
  const stale = net.createServer();
  await new Promise<void>((r) => stale.listen(mnt('old.sock'), r));
  const s = sockets();
  try {
    await s.ensure('new');
    await s.prune(['kept']);
    expect([existsSync(mnt('gone')), existsSync(mnt('old.sock')), existsSync(mnt('kept')), isSocket(mnt('new', 'workload.sock'))]).toEqual([false, false, true, true]);
  } finally {
    await s.close();
    await new Promise<void>((r) => stale.close(() => r()));
  }
});

describe('long module names (a unix socket path has at most 107 bytes)', () => {
  /** A home of exactly the snap's length: /var/snap/azure-iot-edge/common/var/lib/aziot/edged. */
  const SNAP_HOME_LENGTH = '/var/snap/azure-iot-edge/common/var/lib/aziot/edged'.length;
  const snapLongHome = () => {
    const h = path.join(home, 'x'.repeat(SNAP_HOME_LENGTH - home.length - 1));
    mkdirSync(h);
    expect(h.length).toBe(SNAP_HOME_LENGTH);
    return h;
  };

  it('keeps the readable directory while <dir>/workload.sock fits, and derives a short one past it', async () => {
    const h = snapLongHome();
    const s = new WorkloadSockets(h, {} as WorkloadDeps, memoryLogger());
    try {
      const fits = 'a'.repeat(107 - `${h}/mnt//workload.sock`.length);
      expect(fits).toHaveLength(37);
      expect(await s.ensure(fits)).toBe(path.join(h, 'mnt', fits, 'workload.sock'));
      const long = `m${'o'.repeat(126)}x`;
      expect(long).toHaveLength(128);
      const p = await s.ensure(long);
      expect(p).toMatch(new RegExp(`^${h}/mnt/_[0-9a-f]{16}/workload\\.sock$`));
      expect(Buffer.byteLength(p)).toBeLessThanOrEqual(107);
      expect(isSocket(p)).toBe(true);
      expect((await s.layoutOf(long)).dir).toBe(path.dirname(p));
      // What upstream's edgeAgent asks for becomes the short directory, where the container still looks.
      expect(await s.adaptBinds(long, [`${h}/mnt/${long}.sock:/var/run/iotedge/workload.sock`])).toEqual([`${path.dirname(p)}:/var/run/iotedge:ro`]);
      await s.prune([fits, long]);
      expect(isSocket(p)).toBe(true);
      await s.remove(long);
      expect(existsSync(path.dirname(p))).toBe(false);
    } finally {
      await s.close();
    }
  });

  it('names the limit when even the short directory does not fit', async () => {
    const h = path.join(home, 'y'.repeat(90));
    const s = new WorkloadSockets(h, {} as WorkloadDeps, memoryLogger());
    try {
      await expect(s.ensure('m1')).rejects.toThrow(/socket path .*\/workload\.sock is 1[0-9]{2} bytes long; a unix socket path may have at most 107/);
    } finally {
      await s.close();
    }
  });
});
