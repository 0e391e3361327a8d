/**
 * The packaged snap under a real snapd (shared/snapd-lab recipe, test/env/snapd-lab.sh): install,
 * services disabled, connect, `snap set cs-file` bad then good, both services active, a local
 * deployment of locally built images listed by `azure-iot-edge.iotedge list`, dockerd killed -9,
 * edged stopped with SIGSTOP, `snap restart`, `snap remove`. Nothing is skipped: where the
 * machine cannot do a step, the test fails saying why. Figures go to .tmp/e2e-figures.json.
 *
 * Slow by nature (the snap build is about a minute; the snapd container about 30 s): run alone
 * with `npx jest test/e2e`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, copyFileSync, writeFileSync, existsSync } from 'node:fs';
import * as path from 'node:path';
import { holdLabLock, until } from '../helpers/snapd-lab';

const ROOT = path.resolve(__dirname, '..', '..');
const LAB = path.join(ROOT, 'test', 'env', 'snapd-lab.sh');
const WORK = path.join(ROOT, '.tmp', 'e2e');
const NAME = `aziot-e2e-${process.pid}`;
const SNAP = 'azure-iot-edge';
const COMMON = `/var/snap/${SNAP}/common`;
const KEY = Buffer.from('e2e-device-key-0123456789abcdef!').toString('base64');
const GOOD_CS = `HostName=fake-hub.azure-devices.net;DeviceId=e2e-device;SharedAccessKey=${KEY}`;
const IMAGE = 'edge-e2e/sensor:1';
const PLUGS = ['docker-support', 'firewall-control', 'network-control', 'home', 'log-observe', 'mount-observe', 'system-observe', 'hardware-observe'];

jest.setTimeout(15 * 60_000);

let env: NodeJS.ProcessEnv = process.env;
let releaseLab = () => undefined as void;
const figures: Record<string, number | string> = {};

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sh(cmd: string, args: string[], e: NodeJS.ProcessEnv = env, timeoutMs = 30 * 60_000): Run {
  const r = spawnSync(cmd, args, { env: e, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function must(cmd: string, args: string[], e: NodeJS.ProcessEnv = env): string {
  const r = sh(cmd, args, e);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  return r.stdout;
}

/** A command inside the snapd container. */
const inLab = (...args: string[]): Run => sh('/usr/bin/docker', ['exec', NAME, ...args]);
const mustInLab = (...args: string[]): string => must('/usr/bin/docker', ['exec', NAME, ...args]);
const snapApp = (app: string, ...args: string[]): Run => inLab(`/snap/bin/${SNAP}.${app}`, ...args);

function services(): Record<string, { startup: string; current: string }> {
  const out: Record<string, { startup: string; current: string }> = {};
  for (const line of mustInLab('snap', 'services', SNAP).split('\n').slice(1)) {
    const [name, startup, current] = line.trim().split(/\s+/);
    if (name) out[name.replace(`${SNAP}.`, '')] = { startup, current };
  }
  return out;
}

/**
 * The snap's health from snapd's REST API (what `snap info` shows; `snap info` itself waits ~35 s
 * for the unreachable store here). The container has no curl: the snap's own node asks.
 */
const HEALTH_JS = `require('http').get({socketPath:'/run/snapd.socket',path:'/v2/snaps/${SNAP}'},r=>{let b='';r.on('data',c=>b+=c);r.on('end',()=>{const h=JSON.parse(b).result.health;console.log(h?h.status+(h.message?': '+h.message:''):'none')})})`;
function health(): string {
  return mustInLab(`/snap/${SNAP}/current/bin/node`, '-e', HEALTH_JS).trim();
}

const configSum = () => mustInLab('sha256sum', `${COMMON}/etc/aziot/config.toml`).split(' ')[0];
const pidOf = (pattern: string) => inLab('pgrep', '-f', pattern).stdout.trim().split('\n').filter(Boolean).map(Number);
const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(mustInLab('cat', `/proc/${pid}/status`))?.[1] ?? NaN);
const moduleRunning = (name: string) => snapApp('docker', 'inspect', '-f', '{{.State.Running}}', name).stdout.trim() === 'true';

function listed(): string {
  const r = snapApp('iotedge', 'list');
  return r.code === 0 ? r.stdout : '';
}

beforeAll(async () => {
  releaseLab = await holdLabLock(); // test/e2e/lifecycle.test.ts shares the lab's engine
  mkdirSync(WORK, { recursive: true });
  if (!existsSync(path.join(ROOT, 'dist', 'snap', 'hook-main.js')) || !existsSync(path.join(ROOT, 'dist', 'edged', 'main.js'))) {
    throw new Error('dist/ is not built: run `make build` (make test does) before the e2e test');
  }
  // 1. The lab: private host engine, image, stub snapd snap, glibc core24 (cached by script hash).
  const prepared = Object.fromEntries(
    must(LAB, ['prepare'], process.env)
      .trim()
      .split('\n')
      .map((l) => l.split(/=(.*)/s).slice(0, 2)),
  ) as { DOCKER_HOST: string; SNAPS: string };
  env = { ...process.env, DOCKER_HOST: prepared.DOCKER_HOST };
  // 2. Our snap, built offline the way `make snap-local` does.
  const snapFile = must(path.join(ROOT, 'snap', 'local', 'build.sh'), [path.join(WORK, 'build')], process.env).trim().split('\n').pop()!;
  const dir = path.join(WORK, 'snaps');
  mkdirSync(dir, { recursive: true });
  for (const f of ['core24_glibc.snap', 'snapd_stub.snap']) copyFileSync(path.join(prepared.SNAPS, f), path.join(dir, f));
  copyFileSync(snapFile, path.join(dir, `${SNAP}.snap`));
  // 3. The module image, built locally (busybox-static) and saved for `azure-iot-edge.docker load`.
  must(path.join(ROOT, 'test', 'env', 'build-images.sh'), [IMAGE]);
  must('/usr/bin/docker', ['save', '-o', path.join(dir, 'images.tar'), IMAGE]);
  // 4. A fresh snapd container.
  must(LAB, ['start', NAME, dir], process.env);
  mustInLab('snap', 'install', '--dangerous', '/snaps/snapd_stub.snap');
  mustInLab('snap', 'install', '--dangerous', '/snaps/core24_glibc.snap');
  // A first build on a fresh, loaded 2-core machine (debootstrap, engine debs, mksquashfs) takes minutes.
}, 45 * 60_000);

afterAll(() => {
  writeFileSync(path.join(ROOT, '.tmp', 'e2e-figures.json'), JSON.stringify(figures, null, 2) + '\n');
  console.log(`e2e figures: ${JSON.stringify(figures)}`);
  if (process.env.KEEP_E2E_LAB !== '1') {
    sh(LAB, ['rm', NAME], process.env);
    sh(LAB, ['stop-engine'], process.env); // its data-root (the cached image) stays for the next run
  }
  releaseLab();
});

describe('the azure-iot-edge snap under snapd', () => {
  it('installs with dockerd and iotedged disabled and stopped, health waiting for the plugs', () => {
    mustInLab('snap', 'install', '--dangerous', '--devmode', `/snaps/${SNAP}.snap`);
    expect(services()).toEqual({
      dockerd: { startup: 'disabled', current: 'inactive' },
      iotedged: { startup: 'disabled', current: 'inactive' },
    });
    expect(health()).toMatch(/^waiting: connect docker-support, firewall-control, network-control/);
    expect(mustInLab('stat', '-c', '%a', `${COMMON}/etc/aziot/config.toml`).trim()).toBe('600');
  });

  it('starts the private engine once its plugs are connected: own socket, data-root, bridge and pool', async () => {
    for (const p of PLUGS) mustInLab('snap', 'connect', `${SNAP}:${p}`);
    await until('dockerd active', () => services().dockerd.current === 'active');
    expect(services().dockerd.startup).toBe('enabled');
    expect(services().iotedged).toEqual({ startup: 'disabled', current: 'inactive' });
    const info = await until('the snap engine answering', () => {
      const r = snapApp('docker', 'info', '--format', '{{.DockerRootDir}} {{.Driver}}');
      return r.code === 0 && r.stdout.trim();
    });
    expect(info).toBe(`${COMMON}/var/lib/docker overlay2`);
    expect(mustInLab('ip', '-br', 'addr', 'show', 'aziotbr0')).toMatch(/10\.231\.\d+\.\d+\/24/);
    expect(health()).toMatch(/^waiting: set cs-file, connection-string or deployment-file/);
  });

  it('refuses a bad cs-file with one clear line and leaves config.toml byte-identical', () => {
    const before = configSum();
    writeFileSync(path.join(WORK, 'cs-bad.txt'), `HostName=fake-hub.azure-devices.net;DeviceId=e2e;SharedAccessKey=not*base64*${KEY}\n`);
    must('/usr/bin/docker', ['cp', path.join(WORK, 'cs-bad.txt'), `${NAME}:/root/cs-bad.txt`]);
    const r = inLab('snap', 'set', SNAP, 'cs-file=/root/cs-bad.txt');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/cs-file: the SharedAccessKey of the connection string is not base64/);
    expect(r.stderr).not.toContain(KEY);
    expect(configSum()).toBe(before);
    const unknown = inLab('snap', 'set', SNAP, 'image-gc.when=now');
    expect(unknown.stderr).toMatch(/unknown option image-gc.when\. valid options: cs-file, connection-string/);
    expect(configSum()).toBe(before);
    expect(services().iotedged.current).toBe('inactive');
  });

  it('takes a good cs-file and runs iotedged (the hub name is fake: edged must still come up)', async () => {
    writeFileSync(path.join(WORK, 'cs-good.txt'), GOOD_CS + '\n');
    must('/usr/bin/docker', ['cp', path.join(WORK, 'cs-good.txt'), `${NAME}:/root/cs-good.txt`]);
    const t0 = Date.now();
    mustInLab('snap', 'set', SNAP, 'cs-file=/root/cs-good.txt');
    await until('iotedged active', () => services().iotedged.current === 'active');
    figures.csFileToIotedgedActiveMs = Date.now() - t0;
    await until('the management API answering (iotedge list)', () => snapApp('iotedge', 'list').code === 0, 60_000);
    figures.csFileToManagementApiMs = Date.now() - t0;
    expect(services()).toEqual({ dockerd: { startup: 'enabled', current: 'active' }, iotedged: { startup: 'enabled', current: 'active' } });
    expect(mustInLab('grep', '-c', 'source = "manual"', `${COMMON}/etc/aziot/config.toml`).trim()).toBe('1');
    const t1 = Date.now();
    await until('health okay', () => health() === 'okay', 30_000);
    figures.managementApiToHealthOkayMs = Date.now() - t1;
  });

  it('consumes connection-string: applied, then gone from the snap configuration', () => {
    const before = configSum();
    mustInLab('snap', 'set', SNAP, `connection-string=${GOOD_CS}`);
    expect(inLab('snap', 'get', SNAP, 'connection-string').code).not.toBe(0);
    expect(configSum()).toBe(before); // the same credentials: nothing to change, no restart
    expect(services().iotedged.current).toBe('active');
  });

  it('runs a local deployment of locally built images and lists it with azure-iot-edge.iotedge list', async () => {
    mustInLab('cp', '/snaps/images.tar', '/root/images.tar');
    expect(snapApp('docker', 'load', '-i', '/root/images.tar').stdout).toContain(IMAGE);
    const desired = {
      schemaVersion: '1.1',
      runtime: { type: 'docker', settings: {} },
      systemModules: { edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } } },
      modules: {
        sensor: {
          version: '1.0',
          type: 'docker',
          status: 'running',
          restartPolicy: 'always',
          imagePullPolicy: 'never',
          settings: { image: IMAGE, createOptions: JSON.stringify({ Cmd: ['sleep', '100000'] }) },
        },
      },
    };
    writeFileSync(path.join(WORK, 'deployment.json'), JSON.stringify({ modulesContent: { $edgeAgent: { 'properties.desired': desired } } }));
    must('/usr/bin/docker', ['cp', path.join(WORK, 'deployment.json'), `${NAME}:/root/deployment.json`]);
    const t0 = Date.now();
    mustInLab('snap', 'set', SNAP, 'deployment-file=/root/deployment.json');
    const list = await until('`iotedge list` showing the sensor module running', () => {
      const out = listed();
      return /^sensor\s+running/m.test(out) && out;
    }, 120_000);
    figures.deploymentFileToModuleRunningMs = Date.now() - t0;
    expect(list).toMatch(/sensor\s+running/);
    expect(moduleRunning('sensor')).toBe(true);
  });

  it('records idle memory of the supervisors and edged', () => {
    const supervisors = pidOf('snap-service (dockerd|iotedged)');
    const edged = pidOf('app/bin/edged');
    expect(supervisors.length).toBe(2);
    expect(edged.length).toBe(1);
    figures.supervisorIdleRssKb = Math.max(...supervisors.map(rssKb));
    figures.edgedIdleRssKb = rssKb(edged[0]);
  });

  it("brings the snap's dockerd back after kill -9, with the modules running", async () => {
    const pid = Number(mustInLab('cat', `${COMMON}/run/docker.pid`).trim());
    // The engine's own containerd (not a host one), which outlives a crash of dockerd.
    const containerd = pidOf(`containerd --config=${COMMON}/run/docker/containerd/config.toml`);
    expect(containerd).toHaveLength(1);
    expect(mustInLab('cat', `/proc/${pid}/cmdline`)).toContain(`--containerd=${COMMON}/run/docker/containerd/containerd.sock`);
    const t0 = Date.now();
    mustInLab('kill', '-9', String(pid));
    await until('a new dockerd', () => {
      const r = inLab('cat', `${COMMON}/run/docker.pid`);
      return r.code === 0 && Number(r.stdout.trim()) !== pid && snapApp('docker', 'version').code === 0;
    }, 120_000);
    figures.dockerdKilledToEngineBackMs = Date.now() - t0;
    await until('the sensor module running again', () => moduleRunning('sensor') && /^sensor\s+running/m.test(listed()), 120_000);
    figures.dockerdKilledToModulesRunningMs = Date.now() - t0;
    expect(services().dockerd.current).toBe('active');
    expect(pidOf(`containerd --config=${COMMON}/run/docker/containerd/config.toml`)).toEqual(containerd);
  });

  it('restarts edged when it hangs (SIGSTOP: the "Initializing modules" hang)', async () => {
    const [pid] = pidOf('app/bin/edged');
    const t0 = Date.now();
    mustInLab('kill', '-STOP', String(pid));
    await until('a new edged answering', () => {
      const now = pidOf('app/bin/edged');
      return now.length === 1 && now[0] !== pid && snapApp('iotedge', 'list').code === 0;
    }, 120_000);
    figures.edgedHangToRestartedMs = Date.now() - t0;
    expect(inLab('kill', '-0', String(pid)).code).not.toBe(0);
    await until('the sensor module listed running', () => /^sensor\s+running/m.test(listed()), 60_000);
  });

  it('keeps the configuration and the modules across a refresh (post-refresh)', async () => {
    const before = configSum();
    mustInLab('snap', 'install', '--dangerous', '--devmode', `/snaps/${SNAP}.snap`); // revision x2
    expect(mustInLab('snap', 'list', SNAP)).toMatch(/\sx2\s/);
    expect(configSum()).toBe(before);
    await until('both services active after the refresh', () => {
      const s = services();
      return s.dockerd.current === 'active' && s.iotedged.current === 'active';
    });
    await until('the sensor module listed running after the refresh', () => /^sensor\s+running/m.test(listed()), 120_000);
  });

  it('survives snap restart', async () => {
    mustInLab('snap', 'restart', SNAP);
    await until('both services active', () => {
      const s = services();
      return s.dockerd.current === 'active' && s.iotedged.current === 'active';
    });
    await until('the sensor module listed running after the restart', () => /^sensor\s+running/m.test(listed()), 120_000);
  });

  it('is removed cleanly: no engine or edged left, bridge gone', async () => {
    mustInLab('snap', 'remove', SNAP);
    expect(inLab('snap', 'list', SNAP).code).not.toBe(0);
    await until('no snap processes left', () => pidOf('snap-service|app/bin/edged|/snap/azure-iot-edge/').length === 0, 30_000);
    expect(inLab('ip', 'link', 'show', 'aziotbr0').code).not.toBe(0);
  });
});
