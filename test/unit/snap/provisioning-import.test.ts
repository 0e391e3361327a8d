/**
 * The provisioning file an image leaves under $SNAP_COMMON, imported by the install hook (and
 * configure, and service start): through the configure hook's validation, applied, recorded, the
 * secret file removed; a bad file changes nothing and the health names it.
 */
import { existsSync, mkdirSync, mkdtempSync, promises as fs, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runHook } from '../../../src/snap/hook-main';
import type { HookDeps } from '../../../src/snap/hooks/deps';
import { snapPaths } from '../../../src/snap/paths';
import { Snapctl } from '../../../src/snap/snapctl';
import { configure } from '../../../src/snap/hooks/configure';
import { importProvisioning, provisioningPaths } from '../../../src/snap/provisioning-import';
import { importAtServiceStart } from '../../../src/snap/provisioning-main';
import { renderProvisioningFile, type ProvisioningFile } from '../../../src/config/provisioning-file';
import { memoryLogger } from '../../../src/util/log';
import { type FakeSnapd, fakeSnapd } from '../../helpers/fake-snapctl';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const CS = `HostName=fake-hub.azure-devices.net;DeviceId=dev1;SharedAccessKey=${KEY}`;
const DEPLOYMENT = { modulesContent: { $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker' }, modules: { m1: { settings: { image: 'busybox:1', createOptions: '{}' } } } } } } };

let dir: string;
let snapd: FakeSnapd;
let deps: HookDeps;
let p: ReturnType<typeof provisioningPaths>;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'snap-provisioning-'));
  snapd = fakeSnapd();
  deps = { snapctl: new Snapctl(snapd.exec), paths: snapPaths(path.join(dir, 'snap'), path.join(dir, 'common')), snapName: 'azure-iot-edge', logger: memoryLogger(), hostname: 'edgehost' };
  p = provisioningPaths(deps.paths);
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

function leave(file: ProvisioningFile | string): void {
  // As cloud-init's write_files leaves it, possibly before the snap is installed.
  mkdirSync(deps.paths.common, { recursive: true });
  writeFileSync(p.file, typeof file === 'string' ? file : renderProvisioningFile(file), { mode: 0o600 });
}

const config = () => readFileSync(deps.paths.configFile, 'utf8');

describe('importing the provisioning file', () => {
  it('at install: applies the connection string, hostname and deployment, records the import and removes the file', async () => {
    leave({ format: 1, options: { 'connection-string': CS, hostname: 'edge-7' }, files: {}, deployment: DEPLOYMENT });
    await runHook('install', deps);
    expect(config()).toContain('connection_string = "HostName=fake-hub.azure-devices.net;DeviceId=dev1;');
    expect(config()).toContain('hostname = "edge-7"');
    expect(JSON.parse(readFileSync(deps.paths.deploymentCopy, 'utf8'))).toEqual(DEPLOYMENT);
    expect(existsSync(p.file)).toBe(false);
    const record = JSON.parse(readFileSync(p.record, 'utf8')) as { options: string[] };
    expect(record.options).toEqual(['connection-string', 'deployment-file', 'hostname']);
    expect(statSync(p.record).mode & 0o777).toBe(0o600);
    // Kept in snapd so a later `snap set` builds on them; the secret is not.
    expect(snapd.options).toMatchObject({ hostname: 'edge-7', 'deployment-file': path.join(p.dir, 'deployment.json') });
    expect(snapd.options['connection-string']).toBeUndefined();
    expect((deps.logger as ReturnType<typeof memoryLogger>).lines.join('\n')).not.toContain(KEY);
  });

  it('writes the X.509 files 0600 where the raw config names them', async () => {
    await runHook('install', deps);
    const raw = `[provisioning]\nsource = "manual"\niothub_hostname = "fake-hub.azure-devices.net"\ndevice_id = "dev-x"\n[provisioning.authentication]\nmethod = "x509"\nidentity_cert = "file://${p.dir}/identity.cert.pem"\nidentity_pk = "file://${p.dir}/identity.key.pem"\n`;
    leave({ format: 1, options: { 'raw-config': raw }, files: { 'identity.cert.pem': 'CERT', 'identity.key.pem': 'KEY' } });
    expect(await importProvisioning(deps, configure)).toBe('imported');
    expect(readFileSync(path.join(p.dir, 'identity.key.pem'), 'utf8')).toBe('KEY');
    expect(statSync(path.join(p.dir, 'identity.key.pem')).mode & 0o777).toBe(0o600);
    expect(config()).toContain('method = "x509"');
    expect(await importProvisioning(deps, configure)).toBe('none');
  });

  it.each([
    ['not JSON', '{"format": 1, ', /the provisioning file is not valid JSON/],
    ['a bad connection string', { format: 1, options: { 'connection-string': 'HostName=h;DeviceId=d' }, files: {} }, /connection-string: the connection string has no SharedAccessKey/],
    ['a hostname snap set refuses', { format: 1, options: { hostname: 'bad_host!' }, files: {} }, /hostname: /],
    ['an option it may not set', { format: 1, options: { 'cs-file': '/etc/shadow' }, files: {} }, /sets option cs-file, which it may not/],
    ['a file name with a path', { format: 1, options: {}, files: { '../../x': 'y' } }, /names a file "..\/..\/x"/],
    ['a deployment edged refuses', { format: 1, options: {}, files: {}, deployment: { modulesContent: {} } }, /deployment-file: /],
  ])('refuses %s: config untouched, the file kept, the health names it', async (_w, file, message) => {
    await runHook('install', deps);
    const before = config();
    leave(file as ProvisioningFile | string);
    const text = readFileSync(p.file, 'utf8');
    expect(await importProvisioning(deps, configure)).toBe('rejected');
    expect(config()).toBe(before);
    expect(readFileSync(p.file, 'utf8')).toBe(text);
    expect(existsSync(p.dir)).toBe(false);
    expect(existsSync(p.record)).toBe(false);
    expect(snapd.health!.at(-1)).toMatch(/^--code=provisioning-file error provisioning\.json refused: /);
    const error = JSON.parse(readFileSync(p.error, 'utf8')) as { message: string };
    expect(error).toMatchObject({ status: 'error', code: 'provisioning-file' });
    expect(error.message).toMatch(/^provisioning file .*\/common\/provisioning\.json refused: /);
    expect(error.message).toMatch(message);
    expect(`${error.message}${snapd.health!.join('')}`).not.toContain(KEY);
  });
});

describe('an import that does not finish', () => {
  it('iotedged not started by snapd in time: the import stands (config applied, file removed, recorded) and the lag is logged', async () => {
    await runHook('install', deps);
    for (const plug of ['docker-support', 'firewall-control', 'network-control']) snapd.connected.add(plug);
    snapd.services['azure-iot-edge.dockerd'] = { enabled: true, active: true };
    snapd.intercept = (args) => (args[0] === 'start' ? { code: 127, stdout: '', stderr: 'Command failed: snapctl start (timed out)' } : undefined);
    leave({ format: 1, options: { 'connection-string': CS }, files: {} });
    expect(await importProvisioning(deps, configure)).toBe('imported');
    expect(config()).toContain('connection_string = "HostName=fake-hub.azure-devices.net;DeviceId=dev1;');
    expect(existsSync(p.file)).toBe(false);
    expect(existsSync(p.record)).toBe(true);
    expect(existsSync(p.error)).toBe(false);
    expect((deps.logger as ReturnType<typeof memoryLogger>).lines.join('\n')).toMatch(/after the import: the services are not as they should be after 3 tries/);
  });

  it('killed half-way (its claim left behind, its process gone): the next import puts the file back and imports it', async () => {
    await runHook('install', deps);
    leave({ format: 1, options: { 'connection-string': CS }, files: {} });
    const dead = 2 ** 22 + 1; // above pid_max's default: no such process
    await fs.rename(p.file, path.join(deps.paths.common, `.provisioning.json.${dead}.importing`));
    writeFileSync(path.join(deps.paths.common, `.provisioning.json.${dead}.deployment`), '{}');
    expect(await importAtServiceStart('dockerd', deps)).toBe('imported');
    expect(config()).toContain('connection_string = "HostName=fake-hub.azure-devices.net;DeviceId=dev1;');
    expect((await fs.readdir(deps.paths.common)).filter((n) => n.startsWith('.provisioning'))).toEqual([]);
  });

  it("leaves a live import's claim alone, and a newer file wins over an abandoned claim", async () => {
    await runHook('install', deps);
    mkdirSync(deps.paths.common, { recursive: true });
    const live = path.join(deps.paths.common, `.provisioning.json.1.importing`);
    writeFileSync(live, 'being imported by pid 1');
    expect(await importProvisioning(deps, configure)).toBe('none');
    expect(existsSync(live)).toBe(true);
    const abandoned = path.join(deps.paths.common, `.provisioning.json.${2 ** 22 + 1}.importing`);
    writeFileSync(abandoned, 'an older file');
    leave({ format: 1, options: { 'connection-string': CS }, files: {} });
    expect(await importProvisioning(deps, configure)).toBe('imported');
    expect(existsSync(abandoned)).toBe(false);
    expect(config()).toContain('DeviceId=dev1;');
  });
});

describe('at service start', () => {
  it('dockerd imports a file written after install; iotedged leaves it; no file: nothing asked of snapd', async () => {
    await runHook('install', deps);
    const calls = snapd.calls.length;
    expect(await importAtServiceStart('dockerd', deps)).toBe('none');
    expect(snapd.calls.length).toBe(calls);
    leave({ format: 1, options: { 'connection-string': CS }, files: {} });
    expect(await importAtServiceStart('iotedged', deps)).toBe('none');
    expect(existsSync(p.file)).toBe(true);
    expect(await importAtServiceStart('dockerd', deps)).toBe('imported');
    expect(config()).toContain('connection_string = "HostName=fake-hub.azure-devices.net;DeviceId=dev1;');
    expect(existsSync(p.file)).toBe(false);
  });
});
