/**
 * The snap's engine, run by the supervisor with the snap's private settings (outside snapd),
 * beside another private engine standing in for a Docker installed on the host: both run
 * containers, and neither sees or disturbs the other's containers, networks, bridge or images,
 * not even when the snap's engine is killed -9 and restarted.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { remove } from '../../../src/snap/hooks/lifecycle';
import { snapPaths } from '../../../src/snap/paths';
import { ensureBridge } from '../../../src/snap/engine/bridge';
import { runDockerdService } from '../../../src/supervisor/dockerd-service';
import { memoryHealth } from '../../../src/supervisor/health';
import { fileSpawner } from '../../../src/supervisor/spawner';
import type { Outcome } from '../../../src/supervisor/supervise';
import { systemClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const DOCKERD_SH = path.join(ROOT, 'test', 'env', 'dockerd.sh');
const BUILD_IMAGES = path.join(ROOT, 'test', 'env', 'build-images.sh');
const IMAGE = 'edge-test/busybox:1';
const OTHER_IMAGE = 'edge-test/kept:1';

jest.setTimeout(180_000);

const dir = mkdtempSync(path.join(os.tmpdir(), 'edge-snap-'));
const paths = snapPaths(path.join(dir, 'snap'), path.join(dir, 'common'));
const otherDir = path.join(dir, 'other');
const snapHost = `unix://${paths.dockerSock}`;
let otherHost = '';
let otherContainerdSock = '';
const ctl = new AbortController();
let supervised: Promise<Outcome>;
const logger = memoryLogger();
const engineLog = path.join(dir, 'snap-dockerd.log');
const engineLogFd = openSync(engineLog, 'a');

const docker = (host: string, ...args: string[]) =>
  execFileSync('/usr/bin/docker', args, { env: { ...process.env, DOCKER_HOST: host }, encoding: 'utf8' }).trim();
const answers = (host: string) => spawnSync('/usr/bin/docker', ['version'], { env: { ...process.env, DOCKER_HOST: host } }).status === 0;

async function until(what: string, fn: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (engine log: ${engineLog})\n${logger.lines.slice(-10).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  otherHost = execFileSync(DOCKERD_SH, ['start', otherDir, '78'], { encoding: 'utf8', env: { ...process.env, SHUTDOWN_TIMEOUT: '2' } }).trim();
  supervised = runDockerdService({
    paths,
    spawner: fileSpawner(engineLogFd),
    clock: systemClock,
    logger,
    signal: ctl.signal,
    health: memoryHealth(),
    ensureBridge: (name) => ensureBridge(name),
    dockerdBinary: '/usr/sbin/dockerd',
    containerdBinary: '/usr/bin/containerd',
  });
  await until('the snap engine answering', () => answers(snapHost));
  for (const host of [snapHost, otherHost]) {
    execFileSync(BUILD_IMAGES, [IMAGE], { env: { ...process.env, DOCKER_HOST: host }, stdio: ['ignore', 'ignore', 'inherit'] });
  }
});

afterAll(async () => {
  ctl.abort();
  await supervised?.catch(() => undefined);
  spawnSync('/usr/bin/docker', ['rm', '-f', 'other-app'], { env: { ...process.env, DOCKER_HOST: otherHost } });
  execFileSync(DOCKERD_SH, ['stop', otherDir]);
  await remove({ logger, paths } as unknown as Parameters<typeof remove>[0]);
  closeSync(engineLogFd);
  // dockerd bind-mounts its data-root onto itself; one killed -9 leaves that mount behind.
  for (let i = 0; i < 5 && spawnSync('umount', [paths.dockerDataRoot]).status === 0; i++);
  if (process.env.KEEP_ENGINE_LOG !== '1') rmSync(dir, { recursive: true, force: true });
});

describe("the snap's engine beside another engine", () => {
  it('keeps its own data-root, exec-root and containerd', () => {
    expect(docker(snapHost, 'info', '--format', '{{.DockerRootDir}}')).toBe(paths.dockerDataRoot);
    expect(docker(otherHost, 'info', '--format', '{{.DockerRootDir}}')).not.toBe(paths.dockerDataRoot);
    const pid = readFileSync(paths.dockerPidfile, 'utf8').trim();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining([`--exec-root=${paths.dockerExecRoot}`, `--host=${snapHost}`]));
  });

  it("runs its own containerd (socket under its exec-root), never the other engine's", () => {
    const pid = readFileSync(paths.dockerPidfile, 'utf8').trim();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    expect(cmdline).toEqual(expect.arrayContaining([`--containerd=${paths.containerdSock}`, '--containerd-namespace=azure-iot-edge']));
    expect(paths.containerdSock.startsWith(`${paths.dockerExecRoot}/`)).toBe(true);
    const pids = (pattern: string) => (spawnSync('pgrep', ['-f', pattern], { encoding: 'utf8' }).stdout ?? '').trim().split('\n').filter(Boolean);
    const ours = pids(`containerd --config=${paths.containerdConfig}`);
    // The other engine's containerd is the one dockerd manages under its own exec-root (as a host Docker's).
    const otherPid = readFileSync(path.join(otherDir, 'docker.pid'), 'utf8').trim();
    const otherArgs = readFileSync(`/proc/${otherPid}/cmdline`, 'utf8').split('\0');
    const otherExecRoot = otherArgs[otherArgs.indexOf('--exec-root') + 1];
    const theirs = pids(`containerd --config ${otherExecRoot}/containerd/containerd.toml`);
    expect(ours).toHaveLength(1);
    expect(theirs).toHaveLength(1);
    expect(ours[0]).not.toBe(theirs[0]);
    otherContainerdSock = `${otherExecRoot}/containerd/containerd.sock`;
  });

  it('runs containers on both, each engine seeing only its own', () => {
    docker(snapHost, 'run', '-d', '--name', 'snap-app', IMAGE, 'sleep', '100000');
    docker(otherHost, 'run', '-d', '--network', 'none', '--name', 'other-app', IMAGE, 'sleep', '100000');
    expect(docker(snapHost, 'ps', '--format', '{{.Names}}')).toBe('snap-app');
    expect(docker(otherHost, 'ps', '--format', '{{.Names}}')).toBe('other-app');
    // The snap's container lives in its own containerd, under its own namespace.
    const ctr = (sock: string, ...args: string[]) => execFileSync('ctr', ['--address', sock, ...args], { encoding: 'utf8' });
    const id = docker(snapHost, 'inspect', '-f', '{{.Id}}', 'snap-app');
    expect(ctr(paths.containerdSock, '-n', 'azure-iot-edge', 'containers', 'ls', '-q')).toContain(id);
    expect(ctr(otherContainerdSock, 'namespaces', 'ls', '-q')).not.toMatch(/azure-iot-edge/);
  });

  it('puts its containers on its own bridge (aziotbr0) and pool, apart from the other engine', () => {
    const ip = docker(snapHost, 'inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'snap-app');
    expect(ip).toMatch(/^10\.231\.\d+\.\d+$/);
    expect(execFileSync('ip', ['-br', 'addr', 'show', 'aziotbr0'], { encoding: 'utf8' })).toMatch(/10\.231\.\d+\.1\/24/);
    docker(snapHost, 'network', 'create', 'azure-iot-edge');
    docker(otherHost, 'network', 'create', 'azure-iot-edge');
    const subnet = (host: string) => docker(host, 'network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}}{{end}}', 'azure-iot-edge');
    expect(subnet(snapHost)).toMatch(/^10\.231\./);
    expect(subnet(otherHost)).toMatch(/^10\.78\./);
    const ids = (host: string) => docker(host, 'network', 'ls', '-q', '--filter', 'name=azure-iot-edge');
    expect(ids(snapHost)).not.toBe(ids(otherHost));
  });

  it('removes its images without touching the other engine', () => {
    docker(snapHost, 'rm', '-f', 'snap-app');
    docker(snapHost, 'tag', IMAGE, OTHER_IMAGE);
    docker(snapHost, 'rmi', IMAGE);
    expect(docker(snapHost, 'images', '-q', IMAGE)).toBe('');
    expect(docker(otherHost, 'images', '-q', IMAGE)).not.toBe('');
    docker(snapHost, 'network', 'rm', 'azure-iot-edge');
    expect(docker(otherHost, 'network', 'ls', '-q', '--filter', 'name=azure-iot-edge')).not.toBe('');
  });

  it('is restarted by its supervisor after kill -9, its containers kept (live-restore), the other engine unaffected', async () => {
    docker(snapHost, 'run', '-d', '--name', 'snap-keep', OTHER_IMAGE, 'sleep', '100001');
    const pid = Number(readFileSync(paths.dockerPidfile, 'utf8').trim());
    const t0 = Date.now();
    process.kill(pid, 'SIGKILL');
    await until('a new snap dockerd answering', () => {
      try {
        return Number(readFileSync(paths.dockerPidfile, 'utf8').trim()) !== pid && answers(snapHost);
      } catch {
        return false;
      }
    });
    console.log(`snap dockerd killed -9 -> answering again in ${Date.now() - t0} ms`);
    expect(docker(snapHost, 'inspect', '-f', '{{.State.Running}}', 'snap-keep')).toBe('true');
    expect(docker(otherHost, 'inspect', '-f', '{{.State.Running}}', 'other-app')).toBe('true');
  });

  it('stops cleanly when the service stops, leaving the other engine running', async () => {
    const pid = Number(readFileSync(paths.dockerPidfile, 'utf8').trim());
    ctl.abort();
    await expect(supervised).resolves.toEqual({ kind: 'stopped' });
    expect(() => process.kill(pid, 0)).toThrow();
    expect(answers(snapHost)).toBe(false);
    // Its containerd was stopped after it.
    expect(spawnSync('pgrep', ['-f', `containerd --config=${paths.containerdConfig}`]).status).not.toBe(0);
    // Its containers were stopped with it: nothing outlives the service.
    expect(spawnSync('pgrep', ['-f', 'sleep 100001']).status).not.toBe(0);
    expect(docker(otherHost, 'inspect', '-f', '{{.State.Running}}', 'other-app')).toBe('true');
  });
});
