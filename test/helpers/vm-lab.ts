/**
 * The packaged snap under a real snapd in a qemu VM with AppArmor enforcing (test/env/vm-lab.sh):
 * commands in the guest through the agent on the 9p share, the snap's services, health and
 * modules. The guest has no network device: everything it needs is put in the share's files/.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, SNAP } from './snapd-lab';
import { until } from './until';

export const VM_LAB_SH = path.join(ROOT, 'test', 'env', 'vm-lab.sh');
/** The share's files/ directory as the guest sees it. */
export const GUEST_FILES = '/lab/files';

export interface VmRun {
  code: number;
  out: string;
}

/** A host command; throws with its output when it fails. */
export function host(cmd: string, args: string[], timeoutMs = 30 * 60_000): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${(r.stderr || r.stdout).trim().slice(-3000)}`);
  return r.stdout;
}

/**
 * until() for conditions asked of the guest: at most one question every `everyMs`, since every
 * question starts processes in an emulated guest and would slow what it waits for.
 */
export function untilVm<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs: number, everyMs = 3000): Promise<T> {
  let next = 0;
  return until(
    async () => {
      if (Date.now() < next) return undefined;
      next = Date.now() + everyMs;
      return fn();
    },
    what,
    timeoutMs,
  );
}

/** Single-quoted for bash. */
export const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** The same snapd REST question as the container lab's (snap info waits for the store), asked by the snap's own node. */
const HEALTH_JS = `require('http').get({socketPath:'/run/snapd.socket',path:'/v2/snaps/${SNAP}'},r=>{let b='';r.on('data',c=>b+=c);r.on('end',()=>{const h=JSON.parse(b).result.health;console.log(h?h.status+(h.code?' ['+h.code+']':'')+(h.message?': '+h.message:''):'none')})})`;

export class Vm {
  private seq = 0;
  readonly share: string;

  constructor(readonly run: string) {
    this.share = path.join(run, 'share');
  }

  /** A fresh run directory (disk, share, console) with these host files (name: host path) in the guest's /lab/files. */
  reset(files: Record<string, string>): void {
    host(VM_LAB_SH, ['stop', this.run], 5 * 60_000);
    rmSync(this.run, { recursive: true, force: true });
    for (const d of ['files', 'cmd', 'out']) mkdirSync(path.join(this.share, d), { recursive: true });
    for (const [name, file] of Object.entries(files)) copyFileSync(file, path.join(this.share, 'files', name));
  }

  /** A file for the guest: written to the share, copied to `dest` in the guest (hooks cannot read /lab). */
  async put(name: string, content: string, dest: string, owner = 'root'): Promise<string> {
    writeFileSync(path.join(this.share, 'files', name), content);
    await this.must(`install -m 0600 -o ${owner} -g ${owner} ${GUEST_FILES}/${name} ${q(dest)}`);
    return dest;
  }

  /** Starts qemu on the run's disk (a second boot is a reboot of the same machine). */
  boot(): void {
    rmSync(path.join(this.share, 'out', 'booted'), { force: true });
    host(VM_LAB_SH, ['boot', this.run]);
  }

  /** Powers the guest off (cleanly; qemu is killed if it does not stop within 120 s). */
  stop(): void {
    host(VM_LAB_SH, ['stop', this.run], 5 * 60_000);
  }

  /** The guest's boot id once its agent is up. */
  booted(timeoutMs: number): Promise<string> {
    const file = path.join(this.share, 'out', 'booted');
    return until(
      () => {
        if (this.dead()) throw new Error(`qemu exited before the guest came up; console: ${this.consoleTail()}`);
        return (existsSync(file) && readFileSync(file, 'utf8').trim()) || undefined;
      },
      'the guest to boot and its agent to start',
      timeoutMs,
    );
  }

  dead(): boolean {
    try {
      process.kill(Number(readFileSync(path.join(this.run, 'qemu.pid'), 'utf8').trim()), 0);
      return false;
    } catch {
      return true;
    }
  }

  consoleTail(): string {
    const f = path.join(this.run, 'console.log');
    return existsSync(f) ? readFileSync(f, 'utf8').slice(-2000) : '(no console log)';
  }

  /** A bash command in the guest, as root. */
  async sh(command: string, timeoutMs = 10 * 60_000): Promise<VmRun> {
    const id = `t${process.pid}-${++this.seq}`;
    const cmd = path.join(this.share, 'cmd');
    writeFileSync(path.join(cmd, `.${id}.tmp`), command + '\n');
    renameSync(path.join(cmd, `.${id}.tmp`), path.join(cmd, `${id}.sh`));
    const rc = path.join(this.share, 'out', `${id}.rc`);
    await until(() => existsSync(rc) || this.dead(), `the guest to run: ${command.slice(0, 80)}`, timeoutMs);
    if (!existsSync(rc)) throw new Error(`the VM stopped while running: ${command}; console: ${this.consoleTail()}`);
    const outFile = path.join(this.share, 'out', `${id}.out`);
    const out = readFileSync(outFile, 'utf8');
    const code = Number(readFileSync(rc, 'utf8').trim());
    rmSync(rc);
    rmSync(outFile);
    return { code, out };
  }

  async must(command: string, timeoutMs?: number): Promise<string> {
    const r = await this.sh(command, timeoutMs);
    if (r.code !== 0) throw new Error(`in the VM: ${command} failed (${r.code}): ${r.out.trim().slice(-3000)}`);
    return r.out;
  }

  /** One of the snap's apps (`azure-iot-edge.docker ps`), its arguments quoted. */
  app(app: string, ...args: string[]): Promise<VmRun> {
    return this.sh([`/snap/bin/${SNAP}.${app}`, ...args.map(q)].join(' '));
  }

  async services(): Promise<Record<string, { startup: string; current: string }>> {
    const out: Record<string, { startup: string; current: string }> = {};
    for (const line of (await this.must(`snap services ${SNAP}`)).split('\n').slice(1)) {
      const [name, startup, current] = line.trim().split(/\s+/);
      if (name) out[name.replace(`${SNAP}.`, '')] = { startup, current };
    }
    return out;
  }

  /** "okay", or "error [engine-hang]: ...". */
  async health(): Promise<string> {
    const r = await this.sh(`/snap/${SNAP}/current/bin/node -e ${q(HEALTH_JS)}`);
    return r.code === 0 ? r.out.trim() : `unknown: ${r.out.trim()}`;
  }

  async listed(): Promise<string> {
    const r = await this.app('iotedge', 'list');
    return r.code === 0 ? r.out : '';
  }

  async running(name: string): Promise<boolean> {
    return (await this.app('docker', 'inspect', '-f', '{{.State.Running}}', name)).out.trim() === 'true';
  }

  /** name -> container id of every container of the snap's engine. */
  async containerIds(): Promise<Record<string, string>> {
    const r = await this.app('docker', 'ps', '-a', '--no-trunc', '--format', '{{.Names}} {{.ID}}');
    return Object.fromEntries(r.out.trim().split('\n').filter(Boolean).map((l) => l.split(' ')));
  }

  /** The guest's clock (epoch seconds): journal times are the guest's, and TCG lets it drift from the host's. */
  async now(): Promise<number> {
    return Number((await this.must('date +%s.%N')).trim());
  }

  /** The snap services' journal since a guest time (now()). */
  async journal(since: number): Promise<string> {
    return this.must(`journalctl --no-pager -o cat --since @${since.toFixed(3)} -u snap.${SNAP}.dockerd -u snap.${SNAP}.iotedged`);
  }

  /** The health's logged changes since a guest time: [seconds after it, "error [code]: ..."]. */
  async healthHistory(since: number): Promise<[number, string][]> {
    const out = await this.must(`journalctl --no-pager -o short-unix --since @${since.toFixed(3)} -u snap.${SNAP}.dockerd -u snap.${SNAP}.iotedged`);
    return [...out.matchAll(/^(\d+\.\d+) \S+ .*?snap health: (.*)$/gm)].map((m) => [Math.round((Number(m[1]) - since) * 1000) / 1000, m[2]]);
  }

  async pids(pattern: string): Promise<number[]> {
    return (await this.sh(`pgrep -f ${q(pattern)}`)).out.trim().split('\n').filter(Boolean).map(Number);
  }
}
