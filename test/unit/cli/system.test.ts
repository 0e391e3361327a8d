import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { devServices, snapServices } from '../../../src/cli/system/services';
import type { Runner, StreamRunner } from '../../../src/cli/system/runner';
import { ManagementClient } from '../../../src/api/management/client/management-client';
import { where } from '../../../src/cli/system/where';
import type { ProcFs } from '../../../src/cli/system/dev-edged';
import { fakeDevRestart } from '../../helpers/fake-dev-restart';
import { runCli } from './run-cli';

const SNAP_ENV = { SNAP_COMMON: '/var/snap/azure-iot-edge/common', SNAP: '/snap/azure-iot-edge/7', SNAP_INSTANCE_NAME: 'azure-iot-edge' };

function fakeRunner(answers: Record<string, { code: number; stdout?: string; stderr?: string }>) {
  const calls: string[] = [];
  const runner: Runner = async (file, args) => {
    const line = [file, ...args].join(' ');
    calls.push(line);
    const a = answers[line];
    if (!a) throw new Error(`unexpected command: ${line}`);
    return { code: a.code, stdout: a.stdout ?? '', stderr: a.stderr ?? '' };
  };
  const stream: StreamRunner = async (file, args, o) => {
    const line = [file, ...args].join(' ');
    calls.push(line);
    o.stdout.write('log line\n');
    return { code: 0, stdout: '', stderr: '' };
  };
  return { runner, stream, calls };
}

describe('iotedge system in the snap', () => {
  const w = where(SNAP_ENV);

  it('status reads snapctl services', async () => {
    const { runner, stream } = fakeRunner({
      'snapctl services azure-iot-edge': {
        code: 0,
        stdout: 'Service                  Startup  Current   Notes\nazure-iot-edge.dockerd   enabled  active    -\nazure-iot-edge.iotedged  enabled  inactive  -\n',
      },
    });
    expect(await snapServices(w, runner, stream).status()).toEqual([
      { name: 'azure-iot-edge.dockerd', status: 'Running' },
      { name: 'azure-iot-edge.iotedged', status: 'Stopped' },
    ]);
  });

  it('restart, stop and set-log-level go through snapctl; failures carry snapctl stderr', async () => {
    const { runner, stream, calls } = fakeRunner({
      'snapctl restart azure-iot-edge.iotedged': { code: 0 },
      'snapctl stop azure-iot-edge.iotedged': { code: 0 },
      'snapctl set log-level=debug': { code: 0 },
    });
    const s = snapServices(w, runner, stream);
    expect(await s.restart()).toBe('Restarted azure-iot-edge.iotedged.');
    expect(await s.stop()).toMatch(/^Stopped azure-iot-edge\.iotedged/);
    expect(await s.setLogLevel('debug')).toBe('Log level set to debug. Restarted azure-iot-edge.iotedged.');
    expect(calls).toEqual(['snapctl restart azure-iot-edge.iotedged', 'snapctl stop azure-iot-edge.iotedged', 'snapctl set log-level=debug', 'snapctl restart azure-iot-edge.iotedged']);
    const bad = fakeRunner({ 'snapctl restart azure-iot-edge.iotedged': { code: 1, stderr: 'error: access denied\n' } });
    await expect(snapServices(w, bad.runner, bad.stream).restart()).rejects.toMatchObject({
      message: 'snapctl restart azure-iot-edge.iotedged failed: error: access denied',
      hint: 'try `sudo snap restart azure-iot-edge.iotedged`',
    });
  });

  it('logs come from the journal of both snap services', async () => {
    const { runner, stream, calls } = fakeRunner({});
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => (text += c.toString()));
    await snapServices(w, runner, stream).logs({ since: '1 hour ago', tail: 5, follow: false, extra: ['-p', 'err'], stdout: out });
    expect(calls).toEqual([
      'journalctl --no-pager -o short-iso -u snap.azure-iot-edge.iotedged.service -u snap.azure-iot-edge.dockerd.service --since 1 hour ago -n 5 -p err',
    ]);
    expect(text).toBe('log line\n');
  });
});

describe('iotedge system on a development machine', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'system-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('finds edged by its command line in /proc; stop sends SIGTERM, restart starts it again', async () => {
    const home = path.join(dir, 'edged');
    const argv = ['node', '/repo/bin/edged', '--config', '/repo/.tmp/run/config.toml', '--home', home];
    const pfs: ProcFs = {
      readFile: async (f) => {
        if (f === '/proc/4242/cmdline') return argv.join('\0');
        if (f === '/proc/17/cmdline') return 'bash\0';
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
      readdir: async () => ['17', '4242', 'self', 'stat'],
    };
    const killed: Array<[number, string]> = [];
    const s = devServices(where({ IOTEDGE_EDGED_HOME: home }), (pid, sig) => killed.push([pid, sig]), pfs);
    expect(await s.status()).toEqual([{ name: 'edged', status: 'Running (pid 4242)' }]);
    expect(await s.stop()).toMatch(/^Stopped edged \(pid 4242\)\. Outside the snap nothing restarts it/);
    expect(killed).toEqual([[4242, 'SIGTERM']]);
    const f = fakeDevRestart({ pid: 4242, argv, cwd: '/repo', environ: 'A=1\0' });
    const r = devServices(where({ IOTEDGE_EDGED_HOME: home }), () => undefined, pfs, f.io);
    expect(await r.restart()).toMatch(/^Restarted edged: pid 4242 stopped, pid 5151 started/);
    expect(f.killed).toEqual([[4242, 'SIGTERM']]);
    expect(f.launched).toEqual([{ argv, cwd: '/repo', env: { A: '1' }, logFile: path.join(home, 'edged.log') }]);
    expect(f.pids).toEqual([[path.join(home, 'edged.pid'), 5151]]);
    await expect(s.setLogLevel('debug')).rejects.toMatchObject({ hint: 'start edged with AZIOT_LOG_LEVEL=debug' });
  });

  it('status through the CLI, and a bad level is a usage error', async () => {
    const r = await runCli(['system', 'status'], { IOTEDGE_EDGED_HOME: path.join(dir, 'nothing-here') });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^System services:\n {4}edged {19}Stopped\n/);
    const bad = await runCli(['system', 'set-log-level', 'verbose']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Invalid values/);
  });

  it('reprovision POSTs /device/reprovision to the management socket', async () => {
    const sock = path.join(dir, 'mgmt.sock');
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const r = await runCli(['system', 'reprovision', '-H', `unix://${sock}`]);
      expect(r).toMatchObject({ code: 0, stdout: 'Successfully reprovisioned with IoT Hub.\n' });
      expect(seen).toEqual(['POST /device/reprovision?api-version=2022-08-03']);
      await expect(new ManagementClient(`unix://${path.join(dir, 'none.sock')}`).reprovision()).rejects.toThrow(/does not exist/);
    } finally {
      server.close();
    }
  });
});
