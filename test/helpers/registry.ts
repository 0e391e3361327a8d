/**
 * A private registry on loopback with basic auth: Debian's `docker-registry` with an htpasswd
 * file and its own storage. Engines treat 127.0.0.0/8 as an insecure registry, so plain HTTP
 * works. Start it in beforeAll, stop it in afterAll.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import * as net from 'node:net';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { TestEngine } from './engine';

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface TestRegistry {
  /** host:port, e.g. 127.0.0.1:41234; prefix image names with it. */
  address: string;
  credentials: RegistryCredentials;
  dir: string;
  stop(): Promise<void>;
}

const REGISTRY_BIN = '/usr/bin/docker-registry';

function ensureInstalled(): void {
  if (existsSync(REGISTRY_BIN) && existsSync('/usr/bin/htpasswd')) return;
  execFileSync('apt-get', ['install', '-y', '-q', 'docker-registry', 'apache2-utils'], { stdio: 'ignore' });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once GET /v2/ answers (401 without credentials). Polls with a bounded wait. */
async function waitUntilAnswering(address: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
    const status = await new Promise<number | undefined>((resolve) => {
      const req = http.get(`http://${address}/v2/`, (res) => {
        res.resume();
        resolve(res.statusCode);
      });
      req.on('error', () => resolve(undefined));
    });
    if (status === 401 || status === 200) return;
    if (Date.now() > deadline) throw new Error(`docker-registry did not answer on ${address}: ${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startTestRegistry(credentials: RegistryCredentials = { username: 'edge', password: 'edge-secret-1' }): Promise<TestRegistry> {
  ensureInstalled();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edge-registry-'));
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  // -i: the password comes on stdin, never on a command line.
  const htpasswd = execFileSync('htpasswd', ['-niB', credentials.username], { input: credentials.password + '\n', encoding: 'utf8' });
  writeFileSync(path.join(dir, 'htpasswd'), htpasswd, { mode: 0o600 });
  writeFileSync(
    path.join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${path.join(dir, 'data')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${address}`,
      'auth:',
      '  htpasswd:',
      '    realm: edge-test',
      `    path: ${path.join(dir, 'htpasswd')}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  let output = '';
  const child = spawn(REGISTRY_BIN, ['serve', path.join(dir, 'config.yml')], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  try {
    await waitUntilAnswering(address, child, () => output);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    address,
    credentials,
    dir,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Reads a push/pull progress stream to its end; rejects with the first error in it. */
function drainProgress(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let failure: string | undefined;
    stream.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        try {
          const ev = JSON.parse(line) as { error?: string };
          if (ev.error && !failure) failure = ev.error;
        } catch {
          // not JSON
        }
      }
    });
    stream.once('end', () => (failure ? reject(new Error(failure)) : resolve()));
    stream.once('error', reject);
  });
}

/**
 * Tags `localTag` as `registryTag` (which names the registry, e.g. `127.0.0.1:PORT/m:1`), pushes it
 * with the credentials, then removes the registry tag from the engine (unless keepLocalTag), so a
 * later pull really goes to the registry.
 */
export async function pushImage(
  engine: TestEngine,
  localTag: string,
  registryTag: string,
  auth: RegistryCredentials,
  options: { keepLocalTag?: boolean } = {},
): Promise<void> {
  const slash = registryTag.lastIndexOf('/');
  const colon = registryTag.lastIndexOf(':');
  const repo = colon > slash ? registryTag.slice(0, colon) : registryTag;
  const tag = colon > slash ? registryTag.slice(colon + 1) : 'latest';
  await engine.docker.getImage(localTag).tag({ repo, tag });
  const serveraddress = registryTag.slice(0, registryTag.indexOf('/'));
  const stream = (await engine.docker.getImage(registryTag).push({
    authconfig: { username: auth.username, password: auth.password, serveraddress },
  })) as unknown as Readable;
  await drainProgress(stream);
  if (!options.keepLocalTag) await engine.docker.getImage(registryTag).remove();
}
