/**
 * Identity and workload figures, each against a baseline measured in the same run:
 *  1. issuing a module server certificate (median; goal < 50 ms) with a fresh EC P-256 key, with
 *     a pooled and a cold native RSA-2048 key, against openssl issuing the same certificate
 *     (`openssl req -x509 -CA`: native key generation and signing, the baseline);
 *  2. sign requests per second over a module's workload socket, against a bare node:http server
 *     answering a fixed body on the same kind of socket;
 *  3. edged's start until edgeAgent is created: a new node process (Node's own start included)
 *     running edged's built daemon with the identity component (private engine, fake IoT Hub
 *     on loopback), against `docker run -d` of the same image.
 *   node bench/run.js certs      (BENCH_RUNS=N timed issuances, default 21)
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { WorkloadDeps } from '../src/api/workload/routes';
import { WorkloadSockets } from '../src/api/workload/sockets';
import { EdgeCa } from '../src/certs/edge-ca';
import { KeyPool, generateKey } from '../src/certs/keygen';
import { ModuleCertificates } from '../src/certs/module-certs';
import { createLogger } from '../src/util/log';
import { startTestEngine } from '../test/helpers/engine';
import { makeTestTls, startFakeIotHub } from '../test/helpers/fake-iothub';
import { deviceEnv } from './lib/edged-process';
import { report } from './lib/goal';
import { modeLine, rounds } from './lib/mode';
import { runBench } from './lib/run-bench';

const RUNS = rounds(21, 5);
const quiet = createLogger({ level: 'error' });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function timeEach(n: number, fn: () => Promise<unknown> | unknown): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    out.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return out;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

async function certificates(dir: string): Promise<void> {
  const ca = new EdgeCa({ home: dir, deviceId: 'bench', logger: quiet });
  await ca.ensure();
  const exp = () => new Date(Date.now() + 86_400_000).toISOString();
  const ec = new ModuleCertificates(ca, { take: () => generateKey('ec-p256'), close: () => undefined });
  const rsaCold = new ModuleCertificates(ca, { take: () => generateKey('rsa-2048'), close: () => undefined });
  const pool = new KeyPool('rsa-2048', 4);
  const rsaPooled = new ModuleCertificates(ca, pool);

  await ec.server('warmup', 'warmup', exp());
  const ecMs = median(await timeEach(RUNS, () => ec.server('$edgeHub', 'edgehub', exp())));
  const coldMs = median(await timeEach(Math.max(5, Math.floor(RUNS / 2)), () => rsaCold.server('$edgeHub', 'edgehub', exp())));
  // A pooled key is what a module gets when its requests are spaced out (the pool refills between them).
  const pooled: number[] = [];
  for (let i = 0; i < 5; i++) {
    await pool.warm();
    pooled.push(...(await timeEach(1, () => rsaPooled.server('$edgeHub', 'edgehub', exp()))));
  }
  pool.close();
  const pooledMs = median(pooled);

  // Baseline: openssl issuing the same certificate (key generated and signed natively).
  const caKey = path.join(dir, 'openssl-ca.key');
  const caCert = path.join(dir, 'openssl-ca.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', caKey, '-out', caCert, '-subj', '/CN=ca', '-days', '1'], { stdio: 'ignore' });
  const openssl = (key: string[]) => () =>
    execFileSync('openssl', ['req', '-x509', '-newkey', ...key, '-nodes', '-keyout', path.join(dir, 'leaf.key'), '-out', path.join(dir, 'leaf.pem'), '-subj', '/CN=edgehub',
      '-CA', caCert, '-CAkey', caKey, '-days', '1', '-addext', 'subjectAltName=DNS:edgehub', '-addext', 'extendedKeyUsage=serverAuth'], { stdio: 'ignore' });
  const sslEc = median(await timeEach(RUNS, openssl(['ec', '-pkeyopt', 'ec_paramgen_curve:P-256'])));
  const sslRsa = median(await timeEach(Math.max(3, Math.floor(RUNS / 3)), openssl(['rsa:2048'])));
  console.log('module server certificate issuance (median):');
  console.log(`  EC P-256 key (native)        ${fmt(ecMs)}   ${(ecMs / sslEc).toFixed(2)}x of openssl with an EC P-256 key (${fmt(sslEc)})`);
  console.log(`  RSA-2048 key from the pool   ${fmt(pooledMs)}   ${(pooledMs / sslRsa).toFixed(2)}x of openssl with an RSA-2048 key (${fmt(sslRsa)}) (edged's default)`);
  console.log(`  RSA-2048 key generated now   ${fmt(coldMs)}   ${(coldMs / sslRsa).toFixed(2)}x of openssl with an RSA-2048 key`);
  report({ measure: 'module server certificate, EC P-256 (median)', value: ecMs, limit: 50, unit: 'ms' });
  report({ measure: 'module server certificate, pooled RSA-2048 (median)', value: pooledMs, limit: 50, unit: 'ms' });
}

async function hammer(socketPath: string, path_: string, body: string, total: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let sent = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        { socketPath, agent, method: 'POST', path: path_, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  const worker = async () => {
    while (sent < total) {
      sent++;
      await one();
    }
  };
  const t0 = process.hrtime.bigint();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  return total / s;
}

async function signThroughput(dir: string): Promise<void> {
  const key = randomBytes(32);
  const deps = { moduleKey: async () => key } as unknown as WorkloadDeps;
  const sockets = new WorkloadSockets(dir, deps, quiet);
  const socket = await sockets.ensure('edgeHub');
  const body = JSON.stringify({ keyId: 'primary', algo: 'HMACSHA256', data: Buffer.from('x'.repeat(128)).toString('base64') });
  const total = 3000;
  const bare = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const digest = createHmac('sha256', key).update('x').digest('base64');
      const text = JSON.stringify({ digest });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  const bareSocket = path.join(dir, 'bare.sock');
  await new Promise<void>((r) => bare.listen(bareSocket, r));
  await hammer(socket, '/modules/edgeHub/genid/1/sign?api-version=2019-01-30', body, 300, 8);
  const ours = await hammer(socket, '/modules/edgeHub/genid/1/sign?api-version=2019-01-30', body, total, 8);
  const baseline = await hammer(bareSocket, '/', body, total, 8);
  await sockets.close();
  await new Promise<void>((r) => bare.close(() => r()));
  console.log('sign requests over a module workload socket (8 concurrent, keep-alive):');
  console.log(`  workload API   ${ours.toFixed(0)} req/s   ${(ours / baseline).toFixed(2)}x of a bare node:http server (${baseline.toFixed(0)} req/s)`);
}

async function agentCreated(dir: string): Promise<void> {
  const engine = await startTestEngine({ images: ['edge-test/busybox:1', 'bench/agent:1'] });
  const tls = makeTestTls();
  const deviceKey = randomBytes(32);
  const HUB = 'benchhub.azure-devices.net';
  const hub = await startFakeIotHub({ tls, hubHostname: HUB, deviceId: 'bench-dev', deviceKey });
  hub.modules.set('$edgeAgent', { moduleId: '$edgeAgent', deviceId: 'bench-dev', generationId: '1', etag: '"1"' });
  try {
    const home = path.join(dir, 'edged');
    const config = path.join(dir, 'config.toml');
    writeFileSync(
      config,
      `[provisioning]\nsource = "manual"\nconnection_string = "HostName=${HUB};DeviceId=bench-dev;SharedAccessKey=${deviceKey.toString('base64')}"\n` +
        `[agent]\nname = "edgeAgent"\ntype = "docker"\nimagePullPolicy = "never"\n[agent.config]\nimage = "bench/agent:1"\ncreateOptions = { Cmd = ["sleep", "600"] }\n` +
        `[moby_runtime]\nuri = "${engine.host}"\nnetwork = "azure-iot-edge"\n` +
        `[listen]\nmanagement_uri = "unix://${dir}/mgmt.sock"\nworkload_uri = "unix://${dir}/workload.sock"\n`,
    );
    const caFile = path.join(dir, 'hub-ca.pem');
    writeFileSync(caFile, tls.caPem);
    // A separate node process, as bin/edged is one; the identity component is told where the fake hub listens.
    const dist = (m: string) => JSON.stringify(path.join(process.cwd(), 'dist', m));
    const entry = path.join(dir, 'edged-cloud.js');
    writeFileSync(
      entry,
      `'use strict';\nconst { Edged } = require(${dist('edged/daemon.js')});\nconst { identityComponent } = require(${dist('edged/identity-component.js')});\n` +
        `const { createLogger } = require(${dist('util/log.js')});\nconst [configFile, home, caFile, hub, hubHost] = process.argv.slice(2);\n` +
        `const ca = require('node:fs').readFileSync(caFile, 'utf8');\n` +
        `const edged = new Edged({ configFile, home, logger: createLogger({ level: 'error' }),\n` +
        `  createComponents: async (ctx) => [identityComponent(ctx, { cloudTls: { ca }, cloudHostOverride: { [hub]: hubHost } })] });\n` +
        `edged.start().catch((e) => { console.error(e); process.exit(1); });\nprocess.on('SIGTERM', () => edged.stop().then(() => process.exit(0)));\n`,
    );
    const t0 = process.hrtime.bigint();
    const child = spawn(process.execPath, [entry, config, home, caFile, HUB, hub.host], { stdio: ['ignore', 'inherit', 'inherit'], env: deviceEnv() });
    for (;;) {
      if (child.exitCode !== null) throw new Error(`edged exited ${child.exitCode}`);
      const found = await engine.docker.listContainers({ all: true, filters: { name: ['^/edgeAgent$'] } });
      if (found.length) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    const edgedMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    const baseline = median(await timeEach(3, () => engine.cli('run', '-d', 'bench/agent:1', 'sleep', '600')));
    console.log('edged start → edgeAgent created (private engine, fake IoT Hub on loopback):');
    console.log(`  node + edged   ${fmt(edgedMs)}   ${(edgedMs / baseline).toFixed(1)}x of \`docker run -d\` of the same image (${fmt(baseline)})`);
  } finally {
    await hub.close();
    for (const c of await engine.docker.listContainers({ all: true })) await engine.docker.getContainer(c.Id).remove({ force: true });
    await engine.stop();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-certs-'));
  console.log(modeLine());
  try {
    await certificates(dir);
    await signThroughput(dir);
    await agentCreated(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
