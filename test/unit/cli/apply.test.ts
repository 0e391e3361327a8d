import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyConfig, type ApplyDeps } from '../../../src/config/apply';
import { applyCommand } from '../../../src/cli/commands/config-apply';
import type { CliContext } from '../../../src/cli/command';
import { ConfigValidationError } from '../../../src/config/errors';
import { UnavailableError } from '../../../src/errors';
import { capturedContext } from '../../helpers/cli';
import { fakeDevRestart } from '../../helpers/fake-dev-restart';

const GOOD = '[provisioning]\nsource = "manual"\nconnection_string = "HostName=h;DeviceId=d;SharedAccessKey=YWJj"\n';

function fakeDeps(files: Record<string, string>, over: Partial<ApplyDeps> = {}) {
  const written: Record<string, string> = {};
  const events: string[] = [];
  const deps: ApplyDeps = {
    readSources: async (file, dropInsOf) => {
      if (!(file in files)) throw new Error(`no ${file}`);
      const dropIns = Object.keys(files).filter((f) => f.startsWith(path.join(path.dirname(dropInsOf), 'config.d/'))).sort();
      return [{ file, text: files[file] }, ...dropIns.map((f) => ({ file: f, text: files[f] }))];
    },
    readIfExists: async (f) => files[f],
    writeFileAtomic: async (f, data, o) => {
      expect(o.mode).toBe(0o600);
      written[f] = data;
      events.push(`write ${f}`);
    },
    machineHostname: () => 'machine',
    listModules: async () => {
      throw new Error('listModules not expected');
    },
    restart: async () => {
      events.push('restart');
      return 'restarted';
    },
    ...over,
  };
  return { deps, written, events };
}

describe('config apply', () => {
  it('validates, writes the target 0600, then restarts', async () => {
    const { deps, written, events } = fakeDeps({ '/src.toml': GOOD });
    const lines = await applyConfig({ source: '/src.toml', target: '/etc/aziot/config.toml' }, deps);
    expect(written['/etc/aziot/config.toml']).toBe(GOOD);
    expect(events).toEqual(['write /etc/aziot/config.toml', 'restart']);
    expect(lines).toEqual(['The configuration has been written to /etc/aziot/config.toml.', 'restarted']);
  });

  it('refuses an invalid file or drop-in, and what the appliance cannot honour, touching nothing', async () => {
    for (const files of [
      { '/src.toml': 'hostnam = "x"\n' },
      { '/src.toml': GOOD, '/etc/aziot/config.d/10-x.toml': '[agent]\nimagePullPolicy = "always"\n' },
      { '/src.toml': '[tpm]\ntcti = "device"\n' },
    ]) {
      const { deps, events } = fakeDeps(files as Record<string, string>);
      await expect(applyConfig({ source: '/src.toml', target: '/etc/aziot/config.toml' }, deps)).rejects.toBeInstanceOf(ConfigValidationError);
      expect(events).toEqual([]);
    }
  });

  it('refuses a hostname change while modules exist, as upstream', async () => {
    const files = { '/t.toml': 'hostname = "old"\n', '/src.toml': 'hostname = "new"\n' };
    const { deps, events } = fakeDeps(files, { listModules: async () => ['edgeAgent', 'sensor'] });
    await expect(applyConfig({ source: '/src.toml', target: '/t.toml' }, deps)).rejects.toThrow(
      'cannot change the hostname from "old" to "new" while modules exist (edgeAgent, sensor)',
    );
    expect(events).toEqual([]);
    const none = fakeDeps(files, { listModules: async () => [] });
    await applyConfig({ source: '/src.toml', target: '/t.toml' }, none.deps);
    expect(none.events).toEqual(['write /t.toml', 'restart']);
    const down = fakeDeps(files, { listModules: async () => Promise.reject(new UnavailableError('down')) });
    await expect(applyConfig({ source: '/src.toml', target: '/t.toml' }, down.deps)).rejects.toThrow(/cannot be listed/);
  });

  it('an unset hostname means the machine name (no change, no question)', async () => {
    const { deps } = fakeDeps({ '/t.toml': 'hostname = "machine"\n', '/src.toml': '' });
    await expect(applyConfig({ source: '/src.toml', target: '/t.toml' }, deps)).resolves.toBeDefined();
  });

  it('in the snap, forces the engine and edged sockets to the snap paths', async () => {
    const { deps, written } = fakeDeps({ '/src.toml': `${GOOD}[listen]\nmanagement_uri = "fd://aziot-edged.mgmt.socket"\nworkload_uri = "fd://aziot-edged.workload.socket"\n` });
    const owned = { dockerUri: 'unix:///c/run/docker.sock', managementUri: 'unix:///c/run/iotedge/mgmt.sock', workloadUri: 'unix:///c/run/iotedge/workload.sock' };
    await applyConfig({ source: '/src.toml', target: '/c/etc/aziot/config.toml', snapOwned: owned }, deps);
    const out = written['/c/etc/aziot/config.toml'];
    expect(out).toContain('management_uri = "unix:///c/run/iotedge/mgmt.sock"');
    expect(out).toContain('uri = "unix:///c/run/docker.sock"');
    expect(out).not.toContain('fd://');
  });
});

describe('config apply command', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apply-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const ctx = (env: NodeJS.ProcessEnv): CliContext => capturedContext({ env }).ctx;

  it('in the snap: writes $SNAP_COMMON/etc/aziot/config.toml and restarts iotedged with snapctl', async () => {
    const src = path.join(dir, 'mine.toml');
    await fs.writeFile(src, GOOD);
    const calls: string[] = [];
    const lines = await applyCommand({ configFile: src }, ctx({ SNAP_COMMON: dir, SNAP: '/snap/x', SNAP_INSTANCE_NAME: 'azure-iot-edge' }), {
      runner: async (file, args) => (calls.push([file, ...args].join(' ')), { code: 0, stdout: '', stderr: '' }),
    });
    expect(calls).toEqual(['snapctl restart azure-iot-edge.iotedged']);
    const target = path.join(dir, 'etc/aziot/config.toml');
    expect((await fs.stat(target)).mode & 0o777).toBe(0o600);
    expect(lines).toEqual([`The configuration has been written to ${target}.`, 'Restarted azure-iot-edge.iotedged.']);
  });

  it('on a development machine: writes --config-out and restarts the edged found by its pidfile', async () => {
    const src = path.join(dir, 'mine.toml');
    const out = path.join(dir, 'edged.toml');
    await fs.writeFile(src, GOOD);
    const home = path.join(dir, 'home');
    await fs.mkdir(home);
    await fs.writeFile(path.join(home, 'edged.pid'), `${process.pid}\n`);
    const f = fakeDevRestart({ pid: process.pid, argv: ['node', 'bin/edged', '--config', out], cwd: '/repo' });
    const lines = await applyCommand({ configFile: src, configOut: out }, ctx({ IOTEDGE_EDGED_HOME: home }), {
      runner: async () => {
        throw new Error('no runner on a dev machine');
      },
      devRestart: f.io,
    });
    expect(await fs.readFile(out, 'utf8')).toBe(GOOD);
    expect(f.killed).toEqual([[process.pid, 'SIGTERM']]);
    expect(f.launched.map((l) => l.argv)).toEqual([['node', 'bin/edged', '--config', out]]);
    expect(lines[1]).toMatch(new RegExp(`^Restarted edged: pid ${process.pid} stopped, pid 5151 started`));
  });
});
