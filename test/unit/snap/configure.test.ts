/**
 * The configure hook end to end except snapd: a temp SNAP_COMMON, a fake snapctl, real files.
 */
import { existsSync, mkdtempSync, promises as fs, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runHook } from '../../../src/snap/hook-main';
import type { HookDeps } from '../../../src/snap/hooks/deps';
import { snapPaths } from '../../../src/snap/paths';
import { Snapctl } from '../../../src/snap/snapctl';
import { formatError } from '../../../src/errors';
import { memoryLogger } from '../../../src/util/log';
import { type FakeSnapd, fakeSnapd } from '../../helpers/fake-snapctl';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const GOOD_CS = `HostName=fake-hub.azure-devices.net;DeviceId=dev1;SharedAccessKey=${KEY}`;
const DEPLOYMENT = JSON.stringify({
  modulesContent: { $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker' }, modules: { m1: { settings: { image: 'busybox:1', createOptions: '{"HostConfig":{"Binds":["/a:/b"]}}' } } } } } },
});
const ALL = ['network', 'network-bind', 'docker-support', 'firewall-control', 'network-control'];

let dir: string;
let snapd: FakeSnapd;
let deps: HookDeps;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'snap-hook-'));
  snapd = fakeSnapd();
  deps = { snapctl: new Snapctl(snapd.exec), paths: snapPaths(path.join(dir, 'snap'), path.join(dir, 'common')), snapName: 'azure-iot-edge', logger: memoryLogger(), hostname: 'edgehost' };
  await runHook('install', deps);
});
afterEach(() => fs.rm(dir, { recursive: true, force: true }));

async function set(options: Record<string, unknown>): Promise<string | undefined> {
  snapd.options = { ...snapd.options, ...options };
  try {
    await runHook('configure', deps);
    return undefined;
  } catch (e) {
    return formatError(e);
  }
}

const config = () => readFileSync(deps.paths.configFile, 'utf8');

describe('install hook', () => {
  it('writes a default config (0600) and daemon.json, starts nothing, says what it waits for', () => {
    expect(statSync(deps.paths.configFile).mode & 0o777).toBe(0o600);
    expect(config()).toContain('hostname = "edgehost"');
    expect(config()).toContain(`uri = "unix://${deps.paths.dockerSock}"`);
    expect(JSON.parse(readFileSync(deps.paths.daemonJson, 'utf8')).bridge).toBe('aziotbr0');
    expect(snapd.calls.filter((c) => ['start', 'stop', 'restart'].includes(c[0]))).toEqual([]);
    expect(snapd.health).toEqual(['--code=waiting-plugs waiting connect docker-support, firewall-control, network-control']);
  });
});

describe('configure hook', () => {
  it('takes a good cs-file into manual provisioning, never printing the key', async () => {
    const cs = path.join(dir, 'cs.txt');
    writeFileSync(cs, GOOD_CS + '\n');
    expect(await set({ 'cs-file': cs })).toBeUndefined();
    expect(config()).toContain(`connection_string = "${GOOD_CS}"`);
    expect(statSync(deps.paths.configFile).mode & 0o777).toBe(0o600);
    expect((deps.logger as unknown as { lines: string[] }).lines.join('\n')).not.toContain(KEY);
  });

  it.each([
    ['a missing file', null, /cs-file: .* does not exist/],
    ['a directory', 'DIR', /is not a regular file/],
    ['a file over 4 KiB', 'x'.repeat(5000), /larger than 4096 bytes/],
    ['a key that is not base64', 'HostName=h.net;DeviceId=d;SharedAccessKey=not*base64', /SharedAccessKey .* not base64/],
    ['no DeviceId', `HostName=h.net;SharedAccessKey=${KEY}`, /no DeviceId/],
    ['an empty file', '', /^cs-file: \S+ is empty/],
    ['a file of white space', ' \n\t\n', /^cs-file: \S+ is empty/],
    ['an IoT Hub policy string', `HostName=h.net;SharedAccessKeyName=iothubowner;SharedAccessKey=${KEY}`, /IoT Hub policy connection string .*device's own connection string/],
    ['an unmatched quote', `"${GOOD_CS}`, /contains quotes; remove them/],
  ])('refuses %s with one line, leaving the config byte-identical', async (_what, content, message) => {
    const before = config();
    let file = path.join(dir, 'bad.txt');
    if (content === 'DIR') file = dir;
    else if (content !== null) writeFileSync(file, content);
    const err = await set({ 'cs-file': file });
    expect(err).toMatch(message);
    expect(err).not.toContain('\n');
    expect(err).not.toContain(KEY.slice(0, 10));
    expect(config()).toBe(before);
  });

  it('takes a key without "=" padding in cs-file and connection-string', async () => {
    const unpadded = Buffer.from('0123456789abcdef0123456789abcde').toString('base64').replace(/=+$/, '');
    const cs = `HostName=fake-hub.azure-devices.net;DeviceId=dev1;SharedAccessKey=${unpadded}`;
    const file = path.join(dir, 'cs.txt');
    writeFileSync(file, cs + '\n');
    expect(await set({ 'cs-file': file })).toBeUndefined();
    expect(config()).toContain(`SharedAccessKey=${unpadded}"`);
    expect(await set({ 'cs-file': undefined, 'connection-string': cs.replace('dev1', 'dev2') })).toBeUndefined();
    expect(config()).toContain('DeviceId=dev2;');
  });

  it.each(['"', "'"])('takes a cs-file quoted with %s, writing the string without the quotes', async (q) => {
    const file = path.join(dir, 'cs.txt');
    writeFileSync(file, `${q}${GOOD_CS}${q}\n`);
    expect(await set({ 'cs-file': file })).toBeUndefined();
    expect(config()).toContain(`connection_string = "${GOOD_CS}"`);
  });

  it('reads the options key by key (snapd refuses `get -d` without keys in a hook)', async () => {
    expect(await set({ hostname: 'oldsnapd', 'image-gc': { time: '01:00' } })).toBeUndefined();
    expect(config()).toContain('hostname = "oldsnapd"');
    expect(await set({ 'image-gc': { time: '01:00', when: 'now' } })).toMatch(/unknown option image-gc.when/);
  });

  it('consumes connection-string and unsets it', async () => {
    expect(await set({ 'connection-string': GOOD_CS })).toBeUndefined();
    expect(config()).toContain('source = "manual"');
    expect(snapd.options['connection-string']).toBeUndefined();
  });

  it('consumes raw-config (it may hold the device key) and unsets it; later options start from what it gave', async () => {
    const raw = `hostname = "rawhost"\n[provisioning]\nsource = "manual"\nconnection_string = "${GOOD_CS}"\n`;
    expect(await set({ 'raw-config': raw })).toBeUndefined();
    expect(snapd.options['raw-config']).toBeUndefined();
    expect(await set({ 'log-level': 'debug' })).toBeUndefined();
    expect(config()).toContain('hostname = "rawhost"');
    expect(config()).toContain(`connection_string = "${GOOD_CS}"`);
  });

  it.each([
    ['connection-string', `${GOOD_CS};DeviceId=other`],
    ['connection-string', GOOD_CS.replace('DeviceId=', 'DeviceId=a;DeviceId=')],
  ])('refuses a %s with a part given twice, naming it, keeping config.toml', async (option, value) => {
    expect(await set({ 'connection-string': GOOD_CS })).toBeUndefined();
    const before = config();
    const err = await set({ [option]: value });
    expect(err).toMatch(/^connection-string: the connection string has DeviceId twice; give each part once/);
    expect(err).not.toContain(GOOD_CS.split('SharedAccessKey=')[1]);
    expect(config()).toBe(before);
  });

  it('rejects unknown options of a known group listing the valid ones, writing nothing', async () => {
    const before = config();
    const err = await set({ docker: { deamon: '{}' } });
    expect(err).toMatch(/^unknown option docker\.deamon\. valid options: cs-file, connection-string, raw-config/);
    expect(config()).toBe(before);
  });

  it('cannot see an unknown top-level key (no snapd shows a hook the keys it does not name): no effect', async () => {
    const before = config();
    expect(await set({ 'cs-path': '/x' })).toBeUndefined();
    expect(config()).toBe(before);
    expect(snapd.calls.some((c) => c.includes('cs-path'))).toBe(false);
  });

  it('applies a raw-config, but keeps the snap engine socket', async () => {
    const raw = `hostname = "rawhost"\n[moby_runtime]\nuri = "unix:///var/run/docker.sock"\n`;
    expect(await set({ 'raw-config': raw })).toBeUndefined();
    expect(config()).toContain('hostname = "rawhost"');
    expect(config()).toContain(`uri = "unix://${deps.paths.dockerSock}"`);
  });

  it('keeps the credentials of a consumed connection-string when a later raw-config has no [provisioning]', async () => {
    expect(await set({ 'connection-string': GOOD_CS })).toBeUndefined();
    expect(snapd.options['connection-string']).toBeUndefined();
    expect(await set({ 'raw-config': 'hostname = "rawhost"\n' })).toBeUndefined();
    expect(config()).toContain('hostname = "rawhost"');
    expect(config()).toContain(`connection_string = "${GOOD_CS}"`);
    // A raw-config that brings its own [provisioning] wins.
    const other = GOOD_CS.replace('dev1', 'dev2');
    expect(await set({ 'raw-config': `hostname = "rawhost"\n[provisioning]\nsource = "manual"\nconnection_string = "${other}"\n` })).toBeUndefined();
    expect(config()).toContain(`connection_string = "${other}"`);
  });

  it('refuses an invalid raw-config, writing nothing', async () => {
    const before = config();
    expect(await set({ 'raw-config': 'hostname = ' })).toMatch(/raw-config is not valid TOML/);
    expect(await set({ 'raw-config': 'hostname = 42\n' })).toMatch(/hostname/);
    expect(config()).toBe(before);
  });

  it('writes the image GC settings the collector reads', async () => {
    expect(await set({ 'image-gc': { enabled: false, recurrence: '2d', threshold: '3d', time: '04:15' } })).toBeUndefined();
    expect(config()).toMatch(/\[image_garbage_collection\]\nenabled = false\ncleanup_recurrence = "2d"\nimage_age_cleanup_threshold = "3d"\ncleanup_time = "04:15"/);
  });

  it('refuses a recurrence that is not whole days, in one line naming the snap option', async () => {
    const before = config();
    const err = await set({ 'image-gc': { recurrence: '12h' } });
    expect(err).toMatch(/^image-gc\.recurrence = "12h" must be a whole number of days/);
    expect(err).not.toContain('\n');
    expect(config()).toBe(before);
  });

  it('merges docker.daemon into daemon.json and refuses the private paths', async () => {
    expect(await set({ docker: { daemon: { 'log-level': 'warn' } } })).toBeUndefined();
    const dj = JSON.parse(readFileSync(deps.paths.daemonJson, 'utf8'));
    expect(dj).toMatchObject({ 'log-level': 'warn', bridge: 'aziotbr0' });
    expect(await set({ docker: { daemon: { 'data-root': '/var/lib/docker' } } })).toMatch(/cannot set data-root/);
  });

  it.each([
    [{ 'Data-Root': '/x' }, /^docker\.daemon cannot set Data-Root: the snap keeps its engine's paths private/],
    [{ HOSTS: ['tcp://0.0.0.0:2375'] }, /^docker\.daemon cannot set HOSTS/],
    [{ 'Log-Level': 'warn' }, /^docker\.daemon: "Log-Level" is not dockerd's spelling: its keys are case-sensitive, write "log-level"/],
    [{ 'log-levl': 'warn' }, /^docker\.daemon: "log-levl" is not a dockerd option \(did you mean "log-level"\?\)/],
    [{ 'log-level': 'warn', frobnicate: true }, /^docker\.daemon: "frobnicate" is not a dockerd option\. dockerd would refuse/],
  ])('refuses docker.daemon %j with one line, leaving daemon.json and config.toml as they were', async (daemon, message) => {
    expect(await set({ docker: { daemon: { 'log-level': 'warn' } } })).toBeUndefined();
    const before = { daemon: readFileSync(deps.paths.daemonJson, 'utf8'), config: config() };
    const err = await set({ docker: { daemon } });
    expect(err).toMatch(message);
    expect(err).not.toContain('\n');
    expect({ daemon: readFileSync(deps.paths.daemonJson, 'utf8'), config: config() }).toEqual(before);
  });

  it('copies a deployment-file in and points [local_deployment] at the copy', async () => {
    const f = path.join(dir, 'deployment.json');
    writeFileSync(f, DEPLOYMENT);
    expect(await set({ 'deployment-file': f })).toBeUndefined();
    expect(readFileSync(deps.paths.deploymentCopy, 'utf8')).toBe(DEPLOYMENT);
    expect(config()).toContain(`[local_deployment]\nfile = "${deps.paths.deploymentCopy}"`);
  });

  it.each([
    ['not JSON', '{"modulesContent": ', /^deployment-file: the deployment is not valid JSON/],
    ['no $edgeAgent', JSON.stringify({ modulesContent: {} }), /^deployment-file: modulesContent\.\$edgeAgent: missing/],
    ['createOptions that is not JSON', DEPLOYMENT.replace('{\\"HostConfig', '{nope'), /^deployment-file: modules\.m1\.settings\.createOptions: createOptions is not valid JSON/],
    ['"Binds": 12', DEPLOYMENT.replace('[\\"/a:/b\\"]', '12'), /^deployment-file: modules\.m1\.settings\.createOptions\.HostConfig\.Binds: must be a list of strings, not 12/],
  ])('refuses a deployment-file edged would refuse (%s) with one line, keeping the previous deployment', async (_what, text, message) => {
    const f = path.join(dir, 'deployment.json');
    writeFileSync(f, DEPLOYMENT);
    expect(await set({ 'deployment-file': f })).toBeUndefined();
    const before = { config: config(), copy: readFileSync(deps.paths.deploymentCopy, 'utf8') };
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, text);
    const err = await set({ 'deployment-file': bad });
    expect(err).toMatch(message);
    expect(err).not.toContain('\n');
    expect({ config: config(), copy: readFileSync(deps.paths.deploymentCopy, 'utf8') }).toEqual(before);
  });

  it('keeps what a deleted cs-file or deployment-file produced while their options are unchanged', async () => {
    const cs = path.join(dir, 'cs.txt');
    const dep = path.join(dir, 'deployment.json');
    writeFileSync(cs, GOOD_CS + '\n');
    writeFileSync(dep, DEPLOYMENT);
    expect(await set({ 'cs-file': cs, 'deployment-file': dep })).toBeUndefined();
    expect(statSync(deps.paths.appliedFile).mode & 0o777).toBe(0o600);
    expect(readFileSync(deps.paths.appliedFile, 'utf8')).not.toContain(KEY);
    await fs.rm(cs);
    await fs.rm(dep);
    // Another option changes (or a refresh runs configure): the deleted files do not break it.
    expect(await set({ hostname: 'later' })).toBeUndefined();
    expect(config()).toContain('hostname = "later"');
    expect(config()).toContain(`connection_string = "${GOOD_CS}"`);
    expect(config()).toContain(`[local_deployment]\nfile = "${deps.paths.deploymentCopy}"`);
    expect((deps.logger as unknown as { lines: string[] }).lines.join('\n')).toMatch(/cs-file .* is gone; it was applied before/);
    // A changed value must still be read and validated.
    const before = config();
    const err = await set({ 'cs-file': path.join(dir, 'other.txt') });
    expect(err).toMatch(/cs-file: .* does not exist/);
    // The hint names places a strictly confined hook can read (not /etc).
    expect(err).toMatch(/\/root, \/home\/<user> or \/var\/snap\/azure-iot-edge\/common/);
    expect(err).not.toMatch(/\/etc/);
    expect(config()).toBe(before);
  });

  it('snap unset cs-file deprovisions: [provisioning] leaves config.toml, iotedged stops, health asks for credentials', async () => {
    for (const p of ALL) snapd.connected.add(p);
    const cs = path.join(dir, 'cs.txt');
    writeFileSync(cs, GOOD_CS + '\n');
    expect(await set({ 'cs-file': cs, hostname: 'kept' })).toBeUndefined();
    expect(snapd.services['azure-iot-edge.iotedged']).toEqual({ enabled: true, active: true });
    delete snapd.options['cs-file'];
    expect(await set({})).toBeUndefined();
    expect(config()).not.toContain('[provisioning]');
    expect(config()).not.toContain(KEY);
    expect(config()).toContain('hostname = "kept"');
    expect(snapd.services['azure-iot-edge.iotedged']).toEqual({ enabled: false, active: false });
    expect(snapd.health?.at(-1)).toBe('--code=waiting-config waiting set cs-file, connection-string or deployment-file');
    expect((deps.logger as unknown as { lines: string[] }).lines.join('\n')).toMatch(/cs-file was unset: its credentials are removed/);
    // Later runs leave it so; setting it again provisions again.
    expect(await set({ hostname: 'again' })).toBeUndefined();
    expect(config()).not.toContain('[provisioning]');
    expect(await set({ 'cs-file': cs })).toBeUndefined();
    expect(config()).toContain(`connection_string = "${GOOD_CS}"`);
  });

  it('snap unset cs-file keeps a local deployment running, and keeps credentials a later connection-string gave', async () => {
    const cs = path.join(dir, 'cs.txt');
    const dep = path.join(dir, 'deployment.json');
    writeFileSync(cs, GOOD_CS + '\n');
    writeFileSync(dep, DEPLOYMENT);
    expect(await set({ 'cs-file': cs, 'deployment-file': dep })).toBeUndefined();
    delete snapd.options['cs-file'];
    expect(await set({})).toBeUndefined();
    expect(config()).not.toContain('[provisioning]');
    expect(config()).toContain('[local_deployment]');

    const other = GOOD_CS.replace('dev1', 'dev2');
    expect(await set({ 'cs-file': cs })).toBeUndefined();
    expect(await set({ 'connection-string': other })).toBeUndefined();
    delete snapd.options['cs-file'];
    expect(await set({})).toBeUndefined();
    expect(config()).toContain(`connection_string = "${other}"`);
  });

  it('snap unset deployment-file ends the local deployment: [local_deployment] and the copy go, iotedged stops without credentials', async () => {
    for (const p of ALL) snapd.connected.add(p);
    const dep = path.join(dir, 'deployment.json');
    writeFileSync(dep, DEPLOYMENT);
    expect(await set({ 'deployment-file': dep })).toBeUndefined();
    expect(snapd.services['azure-iot-edge.iotedged']).toEqual({ enabled: true, active: true });
    delete snapd.options['deployment-file'];
    expect(await set({})).toBeUndefined();
    expect(config()).not.toContain('[local_deployment]');
    expect(existsSync(deps.paths.deploymentCopy)).toBe(false);
    expect(snapd.services['azure-iot-edge.iotedged']).toEqual({ enabled: false, active: false });
    expect(snapd.health?.at(-1)).toBe('--code=waiting-config waiting set cs-file, connection-string or deployment-file');
    expect((deps.logger as unknown as { lines: string[] }).lines.join('\n')).toMatch(/deployment-file was unset/);
    // Setting it again runs it again.
    expect(await set({ 'deployment-file': dep })).toBeUndefined();
    expect(config()).toContain('[local_deployment]');
    expect(readFileSync(deps.paths.deploymentCopy, 'utf8')).toBe(DEPLOYMENT);
  });

  it('snap unset deployment-file keeps the provisioning and restarts iotedged into the cloud', async () => {
    for (const p of ALL) snapd.connected.add(p);
    const cs = path.join(dir, 'cs.txt');
    const dep = path.join(dir, 'deployment.json');
    writeFileSync(cs, GOOD_CS + '\n');
    writeFileSync(dep, DEPLOYMENT);
    expect(await set({ 'cs-file': cs, 'deployment-file': dep })).toBeUndefined();
    snapd.calls.length = 0;
    delete snapd.options['deployment-file'];
    expect(await set({})).toBeUndefined();
    expect(config()).not.toContain('[local_deployment]');
    expect(config()).toContain(`connection_string = "${GOOD_CS}"`);
    expect(snapd.calls.filter((c) => c[0] === 'restart')).toEqual([['restart', 'azure-iot-edge.iotedged']]);
  });

  it('an unset deployment-file beside a bad option changes nothing: config and the copy stay', async () => {
    const dep = path.join(dir, 'deployment.json');
    writeFileSync(dep, DEPLOYMENT);
    expect(await set({ 'deployment-file': dep })).toBeUndefined();
    const before = config();
    delete snapd.options['deployment-file'];
    expect(await set({ 'log-level': 'loud' })).toMatch(/^log-level must be one of/);
    expect(config()).toBe(before);
    expect(readFileSync(deps.paths.deploymentCopy, 'utf8')).toBe(DEPLOYMENT);
  });

  it('reads a recreated cs-file again, even under the same name', async () => {
    const cs = path.join(dir, 'cs.txt');
    writeFileSync(cs, GOOD_CS + '\n');
    expect(await set({ 'cs-file': cs })).toBeUndefined();
    writeFileSync(cs, 'HostName=h.net;DeviceId=d;SharedAccessKey=not*base64');
    expect(await set({ hostname: 'again' })).toMatch(/SharedAccessKey .* not base64/);
  });

  it('starts both services once the plugs are connected and the device is configured; restarts edged on change', async () => {
    for (const p of ALL) snapd.connected.add(p);
    await runHook('connect-plug-docker-support', deps);
    expect(snapd.services['azure-iot-edge.dockerd']).toEqual({ enabled: true, active: true });
    expect(snapd.services['azure-iot-edge.iotedged']).toEqual({ enabled: false, active: false });
    expect(await set({ 'connection-string': GOOD_CS })).toBeUndefined();
    expect(snapd.services['azure-iot-edge.iotedged']).toEqual({ enabled: true, active: true });
    snapd.calls = [];
    expect(await set({ hostname: 'renamed' })).toBeUndefined();
    expect(snapd.calls).toContainEqual(['restart', 'azure-iot-edge.iotedged']);
    snapd.calls = [];
    expect(await set({ hostname: 'renamed' })).toBeUndefined();
    expect(snapd.calls.filter((c) => c[0] === 'restart')).toEqual([]);
    expect(await set({ 'log-level': 'debug' })).toBeUndefined();
    expect(snapd.calls).toContainEqual(['restart', 'azure-iot-edge.iotedged']);
  });

  it('asks snapd again when a service command fails or times out, and finds the service started by the change that went on', async () => {
    for (const p of ALL) snapd.connected.add(p);
    await runHook('connect-plug-docker-support', deps);
    snapd.calls = [];
    // As from a service at boot: the snapctl is killed at its timeout while snapd's change goes on.
    let timeouts = 1;
    snapd.intercept = (args) => {
      if (args[0] !== 'start' || timeouts-- <= 0) return undefined;
      snapd.services['azure-iot-edge.iotedged'] = { enabled: true, active: true };
      return { code: 127, stdout: '', stderr: 'Command failed: snapctl start --enable azure-iot-edge.iotedged' };
    };
    expect(await set({ 'connection-string': GOOD_CS })).toBeUndefined();
    expect(snapd.calls.filter((c) => c[0] === 'start')).toEqual([['start', '--enable', 'azure-iot-edge.iotedged']]);
    expect((deps.logger as ReturnType<typeof memoryLogger>).lines.join('\n')).toMatch(/snapctl start --enable azure-iot-edge.iotedged failed: .*reading snapd's state again \(try 2 of 3\)/);
  });

  it('a service snapd never starts: the files are written, the error says so after three tries', async () => {
    for (const p of ALL) snapd.connected.add(p);
    await runHook('connect-plug-docker-support', deps);
    snapd.calls = [];
    snapd.intercept = (args) => (args[0] === 'start' ? { code: 1, stdout: '', stderr: 'error: cannot communicate with server' } : undefined);
    const err = await set({ 'connection-string': GOOD_CS });
    expect(err).toMatch(/^the services are not as they should be after 3 tries: snapctl start --enable azure-iot-edge.iotedged failed: error: cannot communicate with server$/);
    expect(snapd.calls.filter((c) => c[0] === 'start')).toHaveLength(3);
    expect(config()).toContain('connection_string = "HostName=fake-hub.azure-devices.net;DeviceId=dev1;');
  });

  it('stops what can no longer run on a disconnect, even while snapd still reports the plug', async () => {
    for (const p of ALL) snapd.connected.add(p);
    await set({ 'connection-string': GOOD_CS });
    await runHook('disconnect-plug-firewall-control', deps);
    expect(snapd.services['azure-iot-edge.iotedged']).toEqual({ enabled: false, active: false });
    expect(snapd.services['azure-iot-edge.dockerd']).toEqual({ enabled: false, active: false });
  });

  it('post-refresh keeps the configuration and the deployment byte for byte, and the services as they were', async () => {
    for (const p of ALL) snapd.connected.add(p);
    const f = path.join(dir, 'deployment.json');
    writeFileSync(f, DEPLOYMENT);
    expect(await set({ 'connection-string': GOOD_CS, 'deployment-file': f })).toBeUndefined();
    const before = [config(), readFileSync(deps.paths.deploymentCopy, 'utf8'), readFileSync(deps.paths.daemonJson, 'utf8')];
    snapd.calls = [];
    await runHook('post-refresh', deps);
    expect([config(), readFileSync(deps.paths.deploymentCopy, 'utf8'), readFileSync(deps.paths.daemonJson, 'utf8')]).toEqual(before);
    expect(snapd.calls.filter((c) => ['start', 'stop', 'restart'].includes(c[0]))).toEqual([]);
  });
});
