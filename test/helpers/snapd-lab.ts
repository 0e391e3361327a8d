/**
 * The packaged snap under a real snapd in a systemd container (test/env/snapd-lab.sh): commands
 * in the lab, the snap's services, its health, its modules. One Lab per container.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const LAB_SH = path.join(ROOT, 'test', 'env', 'snapd-lab.sh');
export const SNAP = 'azure-iot-edge';
export const COMMON = `/var/snap/${SNAP}/common`;
export const PLUGS = ['docker-support', 'firewall-control', 'network-control', 'home', 'log-observe', 'mount-observe', 'system-observe', 'hardware-observe'];

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 10 * 60_000): Run {
  const r = spawnSync(cmd, args, { env, encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function must(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = sh(cmd, args, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${(r.stderr || r.stdout).trim().slice(-2000)}`);
  return r.stdout;
}

/**
 * One lab at a time on this checkout: the e2e suites share the lab's private host engine (and
 * its cache), and jest runs them in parallel workers. Held by a `flock` child until released
 * (or until this process dies).
 */
export async function holdLabLock(): Promise<() => void> {
  mkdirSync(path.join(ROOT, '.tmp'), { recursive: true });
  const child = spawn('flock', [path.join(ROOT, '.tmp', 'snapd-lab.lock'), '-c', 'echo held; exec cat >/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', (code) => reject(new Error(`flock exited with ${code} before taking the lab lock`)));
  });
  return () => child.stdin.end();
}

/** Polls fn every 250 ms until it returns something truthy. */
export async function until<T>(what: string, fn: () => T | undefined | false, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** snapd's REST API answered by the snap's own node (the lab has no curl; `snap info` waits for the store). */
const HEALTH_JS = `require('http').get({socketPath:'/run/snapd.socket',path:'/v2/snaps/${SNAP}'},r=>{let b='';r.on('data',c=>b+=c);r.on('end',()=>{const h=JSON.parse(b).result.health;console.log(h?h.status+(h.code?' ['+h.code+']':'')+(h.message?': '+h.message:''):'none')})})`;

export class Lab {
  env: NodeJS.ProcessEnv = process.env;
  snapsDir = '';

  constructor(
    readonly name: string,
    readonly work: string,
  ) {}

  /** Private host engine, image, stub snaps (cached), our snap built offline, the given images saved, a fresh container. */
  prepare(images: string[]): void {
    mkdirSync(this.work, { recursive: true });
    if (!existsSync(path.join(ROOT, 'dist', 'snap', 'hook-main.js')) || !existsSync(path.join(ROOT, 'dist', 'edged', 'main.js'))) {
      throw new Error('dist/ is not built: run `make build` (make test does) before the e2e tests');
    }
    const prepared = Object.fromEntries(
      must(LAB_SH, ['prepare'])
        .trim()
        .split('\n')
        .map((l) => l.split(/=(.*)/s).slice(0, 2)),
    ) as { DOCKER_HOST: string; SNAPS: string };
    this.env = { ...process.env, DOCKER_HOST: prepared.DOCKER_HOST };
    const snapFile = must(path.join(ROOT, 'snap', 'local', 'build.sh'), [path.join(this.work, 'build')]).trim().split('\n').pop()!;
    this.snapsDir = path.join(this.work, 'snaps');
    mkdirSync(this.snapsDir, { recursive: true });
    for (const f of ['core24_glibc.snap', 'snapd_stub.snap']) copyFileSync(path.join(prepared.SNAPS, f), path.join(this.snapsDir, f));
    copyFileSync(snapFile, path.join(this.snapsDir, `${SNAP}.snap`));
    must(path.join(ROOT, 'test', 'env', 'build-images.sh'), images, this.env);
    must('/usr/bin/docker', ['save', '-o', path.join(this.snapsDir, 'images.tar'), ...images], this.env);
    must(LAB_SH, ['start', this.name, this.snapsDir]);
    this.must('snap', 'install', '--dangerous', '/snaps/snapd_stub.snap');
    this.must('snap', 'install', '--dangerous', '/snaps/core24_glibc.snap');
  }

  remove(): void {
    sh(LAB_SH, ['rm', this.name]);
    sh(LAB_SH, ['stop-engine']);
  }

  run(...args: string[]): Run {
    return sh('/usr/bin/docker', ['exec', this.name, ...args], this.env);
  }

  must(...args: string[]): string {
    return must('/usr/bin/docker', ['exec', this.name, ...args], this.env);
  }

  docker(...args: string[]): string {
    return must('/usr/bin/docker', args, this.env);
  }

  app(app: string, ...args: string[]): Run {
    return this.run(`/snap/bin/${SNAP}.${app}`, ...args);
  }

  /** A file written here, copied into the lab. */
  put(name: string, content: string, dest = `/root/${name}`): string {
    writeFileSync(path.join(this.work, name), content);
    this.docker('cp', path.join(this.work, name), `${this.name}:${dest}`);
    return dest;
  }

  services(): Record<string, { startup: string; current: string }> {
    const out: Record<string, { startup: string; current: string }> = {};
    for (const line of this.must('snap', 'services', SNAP).split('\n').slice(1)) {
      const [name, startup, current] = line.trim().split(/\s+/);
      if (name) out[name.replace(`${SNAP}.`, '')] = { startup, current };
    }
    return out;
  }

  bothActive(): boolean {
    const s = this.services();
    return s.dockerd?.current === 'active' && s.iotedged?.current === 'active';
  }

  /** "okay", or "error [engine-hang]: Docker engine ...". */
  health(): string {
    const r = this.run(`/snap/${SNAP}/current/bin/node`, '-e', HEALTH_JS);
    return r.code === 0 ? r.stdout.trim() : `unknown: ${r.stderr.trim()}`;
  }

  pids(pattern: string): number[] {
    return this.run('pgrep', '-f', pattern).stdout.trim().split('\n').filter(Boolean).map(Number);
  }

  /** The snap's journal since a time (the health changes are logged as "snap health: ..."). */
  journal(sinceMs: number): string {
    const since = new Date(sinceMs - 1000).toISOString().replace('T', ' ').slice(0, 19);
    return this.run('journalctl', '--utc', '-o', 'cat', '--since', since, '-u', `snap.${SNAP}.dockerd`, '-u', `snap.${SNAP}.iotedged`).stdout;
  }

  /** The health's logged changes since a time: [seconds after sinceMs, "error [code]: ..."]. */
  healthHistory(sinceMs: number): [number, string][] {
    const since = new Date(sinceMs - 1000).toISOString().replace('T', ' ').slice(0, 19);
    const out = this.run('journalctl', '--utc', '-o', 'short-unix', '--since', since, '-u', `snap.${SNAP}.dockerd`, '-u', `snap.${SNAP}.iotedged`).stdout;
    return [...out.matchAll(/^(\d+\.\d+) \S+ .*?snap health: (.*)$/gm)].map((m) => [Math.round(Number(m[1]) * 1000 - sinceMs) / 1000, m[2]]);
  }

  listed(): string {
    const r = this.app('iotedge', 'list');
    return r.code === 0 ? r.stdout : '';
  }

  /** name -> container id of every container of the snap's engine. */
  containerIds(): Record<string, string> {
    const r = this.app('docker', 'ps', '-a', '--no-trunc', '--format', '{{.Names}} {{.ID}}');
    return Object.fromEntries(r.stdout.trim().split('\n').filter(Boolean).map((l) => l.split(' ')));
  }

  running(name: string): boolean {
    return this.app('docker', 'inspect', '-f', '{{.State.Running}}', name).stdout.trim() === 'true';
  }
}
