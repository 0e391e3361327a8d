import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as TOML from '@iarna/toml';
import { parseSuperConfig } from '../../../src/config/load';
import { runCli } from './run-cli';

const KEY = 'YXppb3QtaWRlbnRpdHktc2VydmljZXxhemlvdC1pZGU=';
const CS = `HostName=hub.azure-devices.net;DeviceId=dev1;SharedAccessKey=${KEY}`;
const CASES = path.resolve(__dirname, '../../../../shared/contracts/config-cases');

describe('iotedge config mp / import', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-config-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('mp writes a valid 0600 manual-provisioning config and refuses to overwrite without -f', async () => {
    const out = path.join(dir, 'config.toml');
    const r = await runCli(['config', 'mp', '-c', CS, '-o', out]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toContain(`iotedge config apply -c '${out}'`);
    expect((await fs.stat(out)).mode & 0o777).toBe(0o600);
    const c = parseSuperConfig(await fs.readFile(out, 'utf8'), { home: dir });
    expect(c.provisioning).toMatchObject({ source: 'manual', connection_string: CS });
    expect(c.auto_reprovisioning_mode).toBe('OnErrorOnly');
    const again = await runCli(['config', 'mp', '-c', CS, '-o', out]);
    expect(again.code).toBe(153);
    expect(again.stderr).toMatch(/already exists.*--force/);
    expect((await runCli(['config', 'mp', '-c', CS, '-o', out, '-f'])).code).toBe(0);
  });

  it('mp in the snap points the engine and sockets at the snap', async () => {
    const out = path.join(dir, 'config.toml');
    expect((await runCli(['config', 'mp', '-c', CS, '-o', out], { SNAP_COMMON: '/var/snap/azure-iot-edge/common', SNAP: '/snap/azure-iot-edge/x1' })).code).toBe(0);
    const doc = TOML.parse(await fs.readFile(out, 'utf8')) as Record<string, any>;
    expect(doc.moby_runtime.uri).toBe('unix:///var/snap/azure-iot-edge/common/run/docker.sock');
    expect(doc.listen.management_uri).toBe('unix:///var/snap/azure-iot-edge/common/run/iotedge/mgmt.sock');
  });

  it('mp refuses a bad connection string without echoing the key', async () => {
    const r = await runCli(['config', 'mp', '-c', `HostName=h;SharedAccessKey=${KEY}`, '-o', path.join(dir, 'x.toml')]);
    expect(r.code).toBe(153);
    expect(r.stderr).toMatch(/^invalid connection string: has no DeviceId/);
    expect(r.stderr).not.toContain(KEY);
    const notB64 = await runCli(['config', 'mp', '-c', 'HostName=h;DeviceId=d;SharedAccessKey=s3cr3t!', '-o', path.join(dir, 'x.toml')]);
    expect(notB64.stderr).toMatch(/not base64/);
    expect(notB64.stderr).not.toContain('s3cr3t');
  });

  it('import translates a case and leaves the old file alone', async () => {
    const from = path.join(dir, 'config.yaml');
    const to = path.join(dir, 'config.toml');
    await fs.copyFile(path.join(CASES, 'dps-symmetric-key', 'old-config.yaml'), from);
    const before = await fs.readFile(from, 'utf8');
    const r = await runCli(['config', 'import', '-c', from, '-o', to]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(TOML.parse(await fs.readFile(to, 'utf8'))).toEqual(TOML.parse(await fs.readFile(path.join(CASES, 'dps-symmetric-key', 'super-config.toml'), 'utf8')));
    expect(await fs.readFile(from, 'utf8')).toBe(before);
    expect((await runCli(['config', 'import', '-c', from, '-o', to])).stderr).toMatch(/already exists/);
  });

  it('shows an example in --help of every config subcommand', async () => {
    // yargs prints help with console.log
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      for (const sub of ['apply', 'import', 'mp']) {
        log.mockClear();
        expect((await runCli(['config', sub, '--help'])).code).toBe(0);
        expect(log.mock.calls.join('\n')).toMatch(/Examples:/);
      }
    } finally {
      log.mockRestore();
    }
  });
});
