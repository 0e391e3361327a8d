/**
 * A real edged process (node bin/edged, as the snap's service runs it) on a given engine: its own
 * config.toml and home, its file watcher and sockets. Every edged figure of the benches goes
 * through one of these, never through edged's code loaded into the bench's own process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ManagementClient } from '../../src/api/management/client/management-client';

const ROOT = path.resolve(__dirname, '..', '..');

export interface EdgedProcessOptions {
  dir: string;
  engineHost: string;
  /** config.toml after [moby_runtime] (e.g. a [local_deployment] table). */
  toml?: string;
  /** The command to run instead of bin/edged (a bench entry that wraps it); gets --config/--home. */
  entry?: string;
  env?: NodeJS.ProcessEnv;
  /** node's own flags before the entry (the snap's edged runs with EDGED_NODE_FLAGS). */
  nodeArgs?: string[];
}

export interface EdgedProcess {
  child: ChildProcess;
  pid: number;
  host: string;
  client: ManagementClient;
  log: () => string;
  /** Resolves once the management API answers. */
  ready(ms?: number): Promise<void>;
  stop(): Promise<void>;
}

/** The environment of a device: no NODE_EXTRA_CA_CERTS (which costs every node start a CA read here). */
export function deviceEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  if (!('NODE_EXTRA_CA_CERTS' in extra)) delete env.NODE_EXTRA_CA_CERTS;
  return env;
}

export function configFor(options: EdgedProcessOptions): string {
  const home = path.join(options.dir, 'home');
  mkdirSync(home, { recursive: true });
  const config = path.join(options.dir, 'config.toml');
  writeFileSync(config, `hostname = "bench"\n\n[moby_runtime]\nuri = "${options.engineHost}"\nnetwork = "azure-iot-edge"\n\n${options.toml ?? ''}\n`, { mode: 0o600 });
  return config;
}

export function spawnEdged(options: EdgedProcessOptions): EdgedProcess {
  const config = configFor(options);
  const home = path.join(options.dir, 'home');
  const out: Buffer[] = [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry ?? path.join(ROOT, 'bin/edged'), '--config', config, '--home', home], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? deviceEnv(),
  });
  child.stdout?.on('data', (c: Buffer) => out.push(c));
  child.stderr?.on('data', (c: Buffer) => out.push(c));
  const host = `unix://${home}/mgmt.sock`;
  const client = new ManagementClient(host);
  const log = () => Buffer.concat(out).toString();
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  return {
    child,
    pid: child.pid!,
    host,
    client,
    log,
    async ready(ms = 60_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`edged exited ${child.exitCode}:\n${log().slice(-3000)}`);
        try {
          await client.list();
          return;
        } catch (e) {
          if (Date.now() > deadline) throw new Error(`edged not ready after ${ms} ms: ${(e as Error).message}\n${log().slice(-3000)}`);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Writes a file as editors and `snap set` do: a temporary file renamed over it. */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
