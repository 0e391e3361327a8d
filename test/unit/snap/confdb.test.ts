/**
 * The confdb views: the view <-> option mapping (pure), and the custodian hooks run in snapd's
 * order by a schema-aware fake (fake-confdb.ts) over a temp SNAP_COMMON with the real configure.
 */
import { mkdtempSync, promises as fs, readFileSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { formatError } from '../../../src/errors';
import { confdbDeploymentFile, type ConfdbDeps } from '../../../src/snap/confdb/custodian';
import { deviceView, type LiveModule, modulesView } from '../../../src/snap/confdb/live';
import { changedRequests, flattenView, parseViewHook, CUSTODIAN_PLUG, RUNTIME_OPTIONS, runtimeOptionsAreSnapOptions, runtimeView, runtimeWrite, VIEW_PLUGS } from '../../../src/snap/confdb/views';
import { runHook } from '../../../src/snap/hook-main';
import { OPTIONS, parseOptions } from '../../../src/snap/options';
import { snapPaths } from '../../../src/snap/paths';
import { Snapctl } from '../../../src/snap/snapctl';
import { memoryLogger } from '../../../src/util/log';
import { type FakeConfdb, fakeConfdb, SCHEMA } from '../../helpers/fake-confdb';
import { type FakeSnapd, fakeSnapd } from '../../helpers/fake-snapctl';
import { manualProvisioning } from '../../helpers/config';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const KEY = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
const GOOD_CS = `HostName=fake-hub.azure-devices.net;DeviceId=dev1;SharedAccessKey=${KEY}`;
const DEPLOYMENT = {
  modulesContent: { $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker' }, modules: { m1: { settings: { image: 'busybox:1', createOptions: '{}' } } } } } },
};
const ALL = ['network', 'network-bind', 'docker-support', 'firewall-control', 'network-control'];

describe('the schema and the plugs', () => {
  const snapcraft = yaml.load(readFileSync(path.join(ROOT, 'snap', 'snapcraft.yaml'), 'utf8')) as { plugs: Record<string, Record<string, string>> };

  it('has a custodian plug for each view, named after it, on the schema of the same account', () => {
    for (const plug of VIEW_PLUGS) {
      expect(SCHEMA.views[plug]).toBeDefined();
      expect(snapcraft.plugs[plug]).toEqual({ interface: 'confdb', account: SCHEMA['account-id'], view: `${SCHEMA.name}/${plug}`, role: 'custodian' });
    }
    expect(snapcraft.plugs[CUSTODIAN_PLUG]).toEqual({ interface: 'confdb', account: SCHEMA['account-id'], view: `${SCHEMA.name}/${CUSTODIAN_PLUG}` });
  });

  it('ships the hooks each view needs: write hooks for control-*, a load-view for every readable view', async () => {
    const hooks = await fs.readdir(path.join(ROOT, 'hooks'));
    for (const v of ['control-runtime', 'control-provisioning']) expect(hooks).toEqual(expect.arrayContaining([`change-view-${v}`, `save-view-${v}`]));
    for (const v of ['control-runtime', 'observe-device', 'observe-modules']) expect(hooks).toContain(`load-view-${v}`);
    expect(hooks.filter((h) => parseViewHook(h) && !VIEW_PLUGS.includes(parseViewHook(h)!.plug as never))).toEqual([]);
  });

  it('maps control-runtime requests onto snap options of the same names, so the OPTIONS parsers validate both', () => {
    expect(runtimeOptionsAreSnapOptions()).toBe(true);
    const requests = SCHEMA.views['control-runtime'].rules.map((r) => r.request);
    expect(requests.sort()).toEqual([...RUNTIME_OPTIONS, 'deployment', 'last-refusal'].sort());
    for (const k of RUNTIME_OPTIONS) expect(OPTIONS.some((o) => o.key === k)).toBe(true);
  });

  it('keeps everything ephemeral (snapd holds no copy that could go stale) and the connection string secret and write-only', () => {
    const src = yaml.load(readFileSync(path.join(ROOT, 'snap', 'confdb', 'azure-iot-edge.yaml'), 'utf8')) as { storage: { schema: Record<string, { ephemeral?: boolean; schema?: Record<string, unknown> }> } };
    for (const [k, v] of Object.entries(src.storage.schema)) expect([k, v.ephemeral]).toEqual([k, true]);
    expect(src.storage.schema.provisioning.schema!['connection-string']).toEqual({ type: 'string', visibility: 'secret' });
    expect(SCHEMA.views['control-provisioning'].rules.every((r) => r.access === 'write')).toBe(true);
  });

  it('statement.js gives snap sign the 2.69+ and the 2.68 assertion', () => {
     
    const { statement } = require(path.join(ROOT, 'snap', 'confdb', 'statement.js')) as { statement: (o: object) => Record<string, unknown> };
    const now = statement({ account: 'acme', timestamp: '2026-12-03T00:00:00Z' });
    expect(now).toMatchObject({ type: 'confdb-schema', 'authority-id': 'acme', 'account-id': 'acme', name: 'azure-iot-edge' });
    expect(JSON.parse(now.body as string).storage.schema.provisioning.schema['connection-string'].visibility).toBe('secret');
    const old = statement({ account: 'acme', snapd: '2.68' });
    expect(old.type).toBe('confdb');
    expect(old.body).not.toContain('visibility');
  });
});

describe('the view <-> option mapping', () => {
  it('flattens image-gc and finds what a transaction changed, unsets included', () => {
    const before = flattenView({ 'log-level': 'info', 'image-gc': { time: '01:00', enabled: true } });
    const now = flattenView({ 'log-level': 'debug', 'image-gc': { enabled: true } });
    expect([...changedRequests(now, before)]).toEqual([
      ['log-level', 'debug'],
      ['image-gc.time', undefined],
    ]);
  });

  it('turns a write into options (undefined unsets) and a deployment object into its JSON text', () => {
    const w = runtimeWrite(new Map<string, unknown>([['log-level', 'warn'], ['hostname', undefined], ['deployment', { a: 1 }]]));
    expect([...w.options]).toEqual([['log-level', 'warn'], ['hostname', undefined]]);
    expect(w.deployment).toBe('{"a":1}');
    expect(runtimeWrite(new Map([['deployment', undefined]])).deployment).toBeNull();
    expect(() => runtimeWrite(new Map([['docker.daemon', '{}']]))).toThrow('control-runtime: docker.daemon is not a setting of this snap');
  });

  it('shows exactly the options snap get shows, null (unset) for the rest', () => {
    const v = runtimeView(new Map<string, unknown>([['log-level', 'debug'], ['image-gc.time', '03:00'], ['cs-file', '/root/cs']]));
    expect(v).toEqual({ 'log-level': 'debug', hostname: null, 'image-gc.enabled': null, 'image-gc.recurrence': null, 'image-gc.threshold': null, 'image-gc.time': '03:00', deployment: null, 'last-refusal': null });
    // and every value it shows parses as the option it came from
    expect(() => parseOptions({ 'log-level': v['log-level'], 'image-gc': { time: v['image-gc.time'] } })).not.toThrow();
  });

  it('lists modules with their restart count from the reported state and the device from the config', () => {
    const live: LiveModule[] = [{ name: 'm1', status: 'running', image: 'busybox:1' }, { name: 'm2', status: 'stopped', image: 'x:1', exitCode: 137 }];
    expect(modulesView(live, { modules: { m2: { restartCount: 3 } } })).toEqual([
      { name: 'm1', status: 'running', image: 'busybox:1', 'restart-count': 0 },
      { name: 'm2', status: 'stopped', image: 'x:1', 'restart-count': 3, 'exit-code': 137 },
    ]);
    expect(deviceView({ config: { provisioning: manualProvisioning(GOOD_CS) }, services: { dockerd: true, iotedged: true }, edgedVersion: '1.5.0', snapVersion: '0.1.0' })).toEqual({
      id: 'dev1',
      hub: 'fake-hub.azure-devices.net',
      'provisioning.source': 'connection-string',
      'provisioning.state': 'running',
      health: { dockerd: 'active', iotedged: 'active' },
      'versions.snap': '0.1.0',
      'versions.edged': '1.5.0',
    });
    expect(deviceView({ services: { dockerd: false, iotedged: false }, snapVersion: '0.1.0' })).toMatchObject({ id: null, hub: null, 'provisioning.state': 'not-provisioned', 'versions.edged': null });
  });
});

describe('the custodian hooks, in snapd order (fake confdb)', () => {
  let dir: string;
  let snapd: FakeSnapd;
  let confdb: FakeConfdb;
  let deps: ConfdbDeps;
  let modules: LiveModule[];

  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'snap-confdb-'));
    snapd = fakeSnapd({ connected: new Set(ALL) });
    confdb = fakeConfdb(snapd, (name) => runHook(name, deps));
    modules = [];
    deps = {
      snapctl: new Snapctl(snapd.exec),
      paths: snapPaths(path.join(dir, 'snap'), path.join(dir, 'common')),
      snapName: 'azure-iot-edge',
      logger: memoryLogger(),
      hostname: 'edgehost',
      edged: { modules: async () => modules, version: async () => '1.5.0' },
      snapVersion: '0.1.0',
    };
    await runHook('install', deps);
    snapd.options['connection-string'] = GOOD_CS;
    await runHook('configure', deps);
    snapd.calls = [];
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const logLevel = () => readFileSync(deps.paths.logLevelFile, 'utf8').trim();
  const restarts = () => snapd.calls.filter((c) => c[0] === 'restart');

  it('a log-level write validates, becomes the snap option, is applied, and restarts iotedged once', async () => {
    expect(await confdb.write('control-runtime', { 'log-level': 'debug' })).toBeUndefined();
    expect(confdb.hooks).toEqual(['change-view-control-runtime', 'save-view-control-runtime']);
    expect(snapd.options['log-level']).toBe('debug');
    expect(logLevel()).toBe('debug');
    expect(restarts()).toEqual([['restart', 'azure-iot-edge.iotedged']]);
  });

  it('an invalid log-level is refused with the line snap set prints, and nothing changes', async () => {
    const before = readFileSync(deps.paths.configFile, 'utf8');
    const error = await confdb.write('control-runtime', { 'log-level': 'loud' });
    snapd.options['log-level'] = 'loud';
    const snapSet = await runHook('configure', deps).then(() => undefined, formatError);
    delete snapd.options['log-level'];
    expect(snapSet).toBe('log-level must be one of trace, debug, info, warn, error');
    expect(error).toBe(`cannot change confdb aziot-publisher/azure-iot-edge: azure-iot-edge rejected changes: ${snapSet}`);
    expect(confdb.hooks).toEqual(['change-view-control-runtime']);
    expect(readFileSync(deps.paths.configFile, 'utf8')).toBe(before);
    expect(restarts()).toEqual([]);
    expect(snapd.options['log-level']).toBeUndefined();
    expect((await confdb.read('control-runtime'))['last-refusal']).toBe(`control-runtime: ${snapSet}`);
  });

  it.each([
    ['image-gc.time', '25:00'],
    ['image-gc.recurrence', '36h'],
    ['hostname', 'not a host'],
  ])('refuses %s=%s with the option parser line', async (k, v) => {
    const error = await confdb.write('control-runtime', { [k]: v });
    expect(error).toMatch(new RegExp(`rejected changes: ${k.replace('.', '\\.')}`));
    expect(confdb.hooks).toEqual(['change-view-control-runtime']);
  });

  it('rewriting the value already applied changes no file and restarts nothing', async () => {
    await confdb.write('control-runtime', { 'log-level': 'debug' });
    snapd.calls = [];
    confdb.bag = {}; // snapd's ephemeral copy forgotten: the write looks new to it, not to us
    expect(await confdb.write('control-runtime', { 'log-level': 'debug' })).toBeUndefined();
    expect(restarts()).toEqual([]);
  });

  it('a read shows what snap set set, not what snapd kept from an earlier write', async () => {
    await confdb.write('control-runtime', { 'log-level': 'debug', 'image-gc': { time: '03:00' } });
    snapd.options['log-level'] = 'warn';
    delete snapd.options['image-gc'];
    await runHook('configure', deps);
    expect(await confdb.read('control-runtime')).toEqual({ 'log-level': 'warn' });
  });

  it('a deployment written through the view is validated, kept 0600, named by deployment-file and read back', async () => {
    const bad = await confdb.write('control-runtime', { deployment: { modulesContent: {} } });
    expect(bad).toMatch(/rejected changes: deployment-file: /);
    expect(await confdb.write('control-runtime', { deployment: DEPLOYMENT })).toBeUndefined();
    expect(snapd.options['deployment-file']).toBe(confdbDeploymentFile(deps));
    expect(statSync(confdbDeploymentFile(deps)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(deps.paths.deploymentCopy, 'utf8'))).toEqual(DEPLOYMENT);
    expect((await confdb.read('control-runtime')).deployment).toEqual(DEPLOYMENT);
  });

  it('a connection string through control-provisioning is checked, applied to config.toml, and stored nowhere else by us', async () => {
    const bad = await confdb.write('control-provisioning', { 'connection-string': 'HostName=x' });
    expect(bad).toMatch(/rejected changes: connection-string: /);
    expect(bad).not.toContain('HostName=x;');
    const cs2 = GOOD_CS.replace('dev1', 'dev2');
    expect(await confdb.write('control-provisioning', { 'connection-string': cs2 })).toBeUndefined();
    expect(readFileSync(deps.paths.configFile, 'utf8')).toContain('DeviceId=dev2');
    expect(snapd.options['connection-string']).toBeUndefined();
    expect(JSON.stringify(snapd.calls)).not.toContain(KEY);
    expect(await confdb.read('observe-device')).toMatchObject({ id: 'dev2', provisioning: { source: 'connection-string' } });
  });

  it('observe-modules is asked of edged at each read: a stopped module shows at once', async () => {
    modules = [{ name: 'm1', status: 'running', image: 'busybox:1' }];
    expect(await confdb.read('observe-modules')).toEqual({ modules: [{ name: 'm1', status: 'running', image: 'busybox:1', 'restart-count': 0 }] });
    modules = [{ name: 'm1', status: 'stopped', image: 'busybox:1', exitCode: 0 }];
    expect((await confdb.read('observe-modules')).modules).toEqual([{ name: 'm1', status: 'stopped', image: 'busybox:1', 'restart-count': 0, 'exit-code': 0 }]);
  });

  it('observe-modules with no modules is the request unset (snapd stores no empty list), and they show at the next read', async () => {
    modules = [{ name: 'm1', status: 'running', image: 'busybox:1' }];
    await confdb.read('observe-modules');
    modules = [];
    expect(await confdb.read('observe-modules')).toEqual({});
    modules = [{ name: 'm2', status: 'running', image: 'busybox:1' }];
    expect((await confdb.read('observe-modules')).modules).toEqual([{ name: 'm2', status: 'running', image: 'busybox:1', 'restart-count': 0 }]);
  });

  it('refuses a write through a read-only view in the fake as snapd does (no writable rule)', async () => {
    expect(await confdb.write('observe-modules', { modules: [] })).toMatch(/no matching rule/);
  });
});
