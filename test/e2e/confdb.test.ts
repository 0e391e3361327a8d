/**
 * confdb on a real snapd 2.77 (the snapd lab with SNAPD_LAB_SUITE=sid): the repo's schema,
 * signed with a local key and planted in snapd's assertion store (test/env/confdb-lab.sh: a lab
 * technique, never a device's), azure-iot-edge as custodian of its views, and the example
 * consumer snap (examples/confdb-consumer). What snap set of a view does to edged, what an
 * invalid value does (our line, nothing changed), the live modules view, and the consumer
 * seeing a module stop. Figures go to .tmp/e2e-confdb-figures.json.
 */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { COMMON, holdLabLock, Lab, must, PLUGS, ROOT, SNAP, until } from '../helpers/snapd-lab';

process.env.SNAPD_LAB_SUITE = 'sid';
const lab = new Lab(`aziot-confdb-${process.pid}`, path.join(ROOT, '.tmp', 'e2e-confdb'));
const ACCOUNT = 'aziot-publisher';
const VIEW = (v: string) => `${ACCOUNT}/azure-iot-edge/${v}`;
const CONSUMER = 'aziot-confdb-consumer';
const CONFDB_PLUGS = ['observe-device', 'observe-modules', 'control-runtime', 'control-provisioning', 'custodian'];
const KEY = Buffer.from('e2e-device-key-0123456789abcdef!').toString('base64');
const CS = (id: string) => `HostName=fake-hub.azure-devices.net;DeviceId=${id};SharedAccessKey=${KEY}`;
const IMAGE = 'edge-e2e/sensor:1';
const GRACEFUL = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'];
const LEVEL_LINE = 'log-level must be one of trace, debug, info, warn, error';

jest.setTimeout(15 * 60_000);
const figures: Record<string, number | string> = {};
let releaseLab = () => undefined as void;

const configSum = () => lab.must('sha256sum', `${COMMON}/etc/aziot/config.toml`).split(' ')[0];
const edgedPids = () => lab.pids('app/bin/edged');
const logLevelFile = () => lab.must('cat', `${COMMON}/etc/aziot/log-level`).trim();
const viewGet = (view: string, ...keys: string[]) => lab.run('snap', 'get', VIEW(view), ...keys);
const sensorRunning = () => lab.running('sensor');

function timed<T>(figure: string, fn: () => T): T {
  const t0 = Date.now();
  const v = fn();
  figures[figure] = Date.now() - t0;
  return v;
}

// The lab lock is waited for in a hook of its own: another suite's whole run in the lab (up to its
// own bound) must not count against this suite's setup.
beforeAll(async () => {
  releaseLab = await holdLabLock();
}, 60 * 60_000);

beforeAll(async () => {
  const t0 = Date.now();
  lab.prepare([IMAGE]);
  figures.snapd = lab.must('snap', 'version').split('\n').find((l) => l.startsWith('snapd'))?.trim() ?? 'unknown';
  must(path.join(ROOT, 'test', 'env', 'confdb-lab.sh'), ['plant', lab.name, ACCOUNT], lab.env);
  must(path.join(ROOT, '.tmp', 'snapd-deb', 'usr', 'bin', 'snap'), ['pack', path.join(ROOT, 'examples', 'confdb-consumer'), lab.snapsDir, `--filename=${CONSUMER}.snap`]);
  figures.labReadyMs = Date.now() - t0;

  lab.must('snap', 'install', '--dangerous', '--devmode', `/snaps/${SNAP}.snap`);
  for (const p of [...PLUGS, ...CONFDB_PLUGS]) lab.must('snap', 'connect', `${SNAP}:${p}`);
  await until('the engine answering', () => lab.app('docker', 'version').code === 0, 120_000);
  lab.must('cp', '/snaps/images.tar', '/root/images.tar');
  lab.app('docker', 'load', '-i', '/root/images.tar');
  const cs = lab.put('cs.txt', CS('confdb-e2e') + '\n');
  // restartPolicy never: a stopped module stays stopped, so the consumer's log line is certain.
  const desired = {
    schemaVersion: '1.1',
    runtime: { type: 'docker', settings: {} },
    systemModules: { edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } } },
    modules: { sensor: { version: '1.0', type: 'docker', status: 'running', restartPolicy: 'never', imagePullPolicy: 'never', settings: { image: IMAGE, createOptions: JSON.stringify({ Cmd: GRACEFUL }) } } },
  };
  const file = lab.put('deployment.json', JSON.stringify({ modulesContent: { $edgeAgent: { 'properties.desired': desired } } }));
  lab.must('snap', 'set', SNAP, `cs-file=${cs}`, `deployment-file=${file}`);
  await until('the sensor module running', sensorRunning, 180_000);

  lab.must('snap', 'install', '--dangerous', `/snaps/${CONSUMER}.snap`);
  lab.must('snap', 'set', CONSUMER, 'interval=2');
  for (const p of ['modules', 'runtime']) lab.must('snap', 'connect', `${CONSUMER}:${p}`);
  lab.must('snap', 'restart', `${CONSUMER}.watcher`);
  figures.setupMs = Date.now() - t0;
});

afterAll(() => {
  writeFileSync(path.join(ROOT, '.tmp', 'e2e-confdb-figures.json'), JSON.stringify(figures, null, 2) + '\n');
  console.log(`confdb figures: ${JSON.stringify(figures)}`);
  if (process.env.KEEP_E2E_LAB !== '1') lab.remove();
  releaseLab();
});

it('runs on snapd 2.77 with the planted schema known to snapd', () => {
  expect(figures.snapd).toMatch(/^snapd\s+2\.77/);
  expect(lab.must('snap', 'known', 'confdb-schema', `account-id=${ACCOUNT}`, 'name=azure-iot-edge')).toContain('type: confdb-schema');
  const conns = lab.must('snap', 'connections', SNAP);
  for (const p of CONFDB_PLUGS) expect(conns).toMatch(new RegExp(`^confdb\\s+${SNAP}:${p}\\s`, 'm'));
});

it('snap set of control-runtime log-level=debug changes edged: the option, the applied level, a restarted edged', async () => {
  const before = edgedPids();
  const r = timed('viewSetLogLevelMs', () => lab.run('snap', 'set', VIEW('control-runtime'), 'log-level=debug'));
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(lab.must('snap', 'get', SNAP, 'log-level').trim()).toBe('debug');
  expect(logLevelFile()).toBe('debug');
  await until('edged restarted with the new level', () => edgedPids().length > 0 && edgedPids().every((p) => !before.includes(p)), 120_000);
  await until('the sensor module running again', sensorRunning, 120_000);
  expect(viewGet('control-runtime', 'log-level').stdout.trim()).toBe('debug');
});

it('an invalid log-level through the view fails that snap set with our line and changes nothing', () => {
  const sum = configSum();
  const pids = edgedPids();
  const r = timed('viewSetInvalidMs', () => lab.run('snap', 'set', VIEW('control-runtime'), 'log-level=loud'));
  expect(r.code).not.toBe(0);
  expect(r.stderr.replace(/\s+/g, ' ')).toContain(`azure-iot-edge rejected changes: ${LEVEL_LINE}`);
  figures.invalidLine = r.stderr.trim().replace(/\s+/g, ' ');
  expect(configSum()).toBe(sum);
  expect(logLevelFile()).toBe('debug');
  expect(lab.must('snap', 'get', SNAP, 'log-level').trim()).toBe('debug');
  expect(edgedPids()).toEqual(pids);
});

it('a view and snap set never disagree: snap set azure-iot-edge log-level=warn is what the view reads', () => {
  lab.must('snap', 'set', SNAP, 'log-level=warn');
  expect(viewGet('control-runtime', 'log-level').stdout.trim()).toBe('warn');
  lab.must('snap', 'unset', SNAP, 'log-level');
  expect(viewGet('control-runtime', 'log-level').code).not.toBe(0);
});

it('snap get -d observe-modules lists the running modules, live from edged', () => {
  const r = timed('viewGetModulesMs', () => lab.run('snap', 'get', '-d', VIEW('observe-modules')));
  expect(r.stderr).toBe('');
  const doc = JSON.parse(r.stdout) as { modules: { name: string; status: string; image: string; 'restart-count': number }[] };
  expect(doc.modules).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'sensor', status: 'running', image: IMAGE })]));
});

it('observe-device names the device and its hub; control-provisioning takes a connection string it never shows', async () => {
  const device = JSON.parse(lab.must('snap', 'get', '-d', VIEW('observe-device'))) as Record<string, unknown>;
  expect(device).toMatchObject({ id: 'confdb-e2e', hub: 'fake-hub.azure-devices.net', provisioning: { source: 'connection-string', state: 'running' } });
  const bad = lab.run('snap', 'set', VIEW('control-provisioning'), 'connection-string=HostName=x');
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/azure-iot-edge rejected changes: connection-string: /);
  lab.must('snap', 'set', VIEW('control-provisioning'), `connection-string=${CS('confdb-e2e-2')}`);
  expect(lab.must('cat', `${COMMON}/etc/aziot/config.toml`)).toContain('DeviceId=confdb-e2e-2');
  expect(viewGet('control-provisioning', 'connection-string').code).not.toBe(0);
  await until('the sensor module running again', sensorRunning, 120_000);
});

it("the consumer's command sets the log level through control-runtime, and gets our line for a bad one", () => {
  const bad = lab.run(`/snap/bin/${CONSUMER}.set-log-level`, 'loud');
  expect(bad.code).not.toBe(0);
  expect(bad.stderr.replace(/\s+/g, ' ')).toContain(LEVEL_LINE);
  const ok = lab.run(`/snap/bin/${CONSUMER}.set-log-level`, 'info');
  expect(ok.stderr).toBe('');
  expect(lab.must('snap', 'get', SNAP, 'log-level').trim()).toBe('info');
});

it('the consumer daemon sees a module stop', async () => {
  const journal = () => lab.run('journalctl', '-o', 'cat', '-u', `snap.${CONSUMER}.watcher`).stdout;
  await until('the watcher listing sensor running', () => /^module sensor: running \(new\)$/m.test(journal()), 60_000);
  // The commands before restarted edged (a module list empty for a while): stop the sensor once it
  // runs again and the watcher's last word on it is that it runs.
  const lastSaid = () => [...journal().matchAll(/^module sensor: (.*)$/gm)].pop()?.[1] ?? '';
  await until('the sensor running, as the watcher last said', () => sensorRunning() && /(^| -> )running( \(new\))?$/.test(lastSaid()), 120_000);
  const seen = journal().length;
  const t0 = Date.now();
  lab.app('docker', 'stop', 'sensor');
  const stopLine = () => /module sensor: running -> (?!running)\w+/.exec(journal().slice(seen))?.[0];
  figures.consumerLine = await until('the watcher logging the stop', stopLine, 60_000);
  figures.consumerSawStopMs = Date.now() - t0;
});
