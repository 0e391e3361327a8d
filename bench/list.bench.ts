/**
 * `iotedge list` with 50 modules against `docker ps` on the same private engine, in the same run.
 * Reports the median wall-clock ratio (goal: at most 2x docker ps) and the CPU ratio for the CLI
 * as bin/iotedge runs it, as tsc emits it, as one esbuild bundle and as the small fast-path bundle
 * (make cli-bundle), next to the floor of a bare `node`; and edged's resident memory (VmRSS) with
 * those 50 modules. Cleans up after itself.
 *   node bench/run.js list        (BENCH_RUNS=N to change the number of timed runs, default 21)
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ManagementClient } from '../src/cli/management-client';
import { bundleCli } from '../test/integration/cli/cli-bundle';

const ROOT = process.cwd();
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const MODULES = 50;
const IMAGE = 'edge-test/busybox:1';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function vmRssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : Number.NaN;
}

async function waitFor<T>(what: string, probe: () => Promise<T>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await probe();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what} not ready after ${ms} ms: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** CPU time (user + system) of this process's waited-for children so far, in ms (/proc, 10 ms ticks). */
function childrenCpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ": state is field 0 here, so cutime and cstime (fields 16 and 17 of stat) are 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

/** One timed run; the output is checked so a failing command cannot look fast. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, expectLines: number): Sample {
  const cpu0 = childrenCpuMs();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpuMs = childrenCpuMs() - cpu0;
  const lines = r.stdout.split('\n').filter(Boolean).length;
  if (r.status !== 0 || lines !== expectLines) {
    throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}, ${lines} lines (want ${expectLines}): ${r.stderr}`);
  }
  return { wallMs, cpuMs };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function ensureBuilt(): void {
  if (!existsSync(path.join(ROOT, 'dist/edged/main.js')) || !existsSync(path.join(ROOT, 'dist/cli/main.js'))) {
    console.log('building dist/ with tsc ...');
    spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { stdio: 'inherit', cwd: ROOT });
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-list-'));
  const cleanups: (() => void)[] = [];
  let edged: ChildProcess | undefined;
  try {
    ensureBuilt();
    const dockerdSh = path.join(ROOT, 'test/env/dockerd.sh');
    const dockerHost = execFileSync(dockerdSh, ['start', dir, '231'], {
      encoding: 'utf8',
      env: { ...process.env, SHUTDOWN_TIMEOUT: '2' },
    }).trim();
    cleanups.push(() => execFileSync(dockerdSh, ['stop', dir]));
    const dockerEnv = { ...process.env, DOCKER_HOST: dockerHost };
    execFileSync(path.join(ROOT, 'test/env/build-images.sh'), [IMAGE], { env: dockerEnv, stdio: 'ignore' });
    cleanups.unshift(() => {
      const ids = execFileSync('/usr/bin/docker', ['ps', '-aq'], { env: dockerEnv, encoding: 'utf8' }).split('\n').filter(Boolean);
      if (ids.length) execFileSync('/usr/bin/docker', ['rm', '-f', ...ids], { env: dockerEnv, stdio: 'ignore' });
    });

    const home = path.join(dir, 'edged');
    const config = path.join(dir, 'config.toml');
    writeFileSync(config, `hostname = "bench"\n\n[moby_runtime]\nuri = "${dockerHost}"\nnetwork = "azure-iot-edge"\n`, { mode: 0o600 });
    const edgedLog: Buffer[] = [];
    edged = spawn(process.execPath, [path.join(ROOT, 'bin/edged'), '--config', config, '--home', home], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    edged.stdout?.on('data', (c: Buffer) => edgedLog.push(c));
    edged.stderr?.on('data', (c: Buffer) => edgedLog.push(c));
    const host = `unix://${home}/mgmt.sock`;
    const client = new ManagementClient(host);
    await waitFor('edged', () => client.list()).catch((e) => {
      throw new Error(`${(e as Error).message}\n${Buffer.concat(edgedLog).toString().slice(-2000)}`);
    });

    const t0 = Date.now();
    for (let i = 0; i < MODULES; i++) {
      const name = `bench${String(i).padStart(2, '0')}`;
      await client.create({
        name,
        type: 'docker',
        config: { image: IMAGE, createOptions: { Cmd: ['sleep', '3600'] } },
        env: {},
        imagePullPolicy: 'never',
      });
      await client.start(name);
    }
    console.log(`created and started ${MODULES} modules through edged in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const listed = await client.list();
    if (listed.filter((m) => m.state.status === 'running').length !== MODULES) {
      throw new Error(`expected ${MODULES} running modules, edged lists ${listed.length}`);
    }

    const bundle = path.join(dir, 'iotedge.bundle.js');
    bundleCli(bundle, ROOT);
    const fastBundle = path.join(dir, 'iotedge-fast.bundle.js');
    bundleCli(fastBundle, ROOT, 'src/cli/fast-main.ts');
    const entry = (name: string, code: string) => {
      const file = path.join(dir, name);
      writeFileSync(file, code);
      return file;
    };
    const q = JSON.stringify;
    const entryTsc = entry('iotedge-tsc.js', `require(${q(path.join(ROOT, 'dist/cli/main.js'))}).run(process.argv.slice(2));\n`);
    const entryBundle = entry('iotedge-bundle.js', `require(${q(bundle)}).run(process.argv.slice(2));\n`);
    const entryFast = entry(
      'iotedge-fast.js',
      `require(${q(fastBundle)}).run(process.argv.slice(2), () => require(${q(bundle)}));\n`,
    );

    const lines = MODULES + 1;
    // NODE_EXTRA_CA_CERTS (set on these build machines, not on a device or in the snap) makes node
    // read a CA bundle at every start: ~40 ms of CPU before any of our code runs.
    const deviceEnv = { ...process.env };
    delete deviceEnv.NODE_EXTRA_CA_CERTS;
    const variants: [string, string, string[], NodeJS.ProcessEnv][] = [
      ['docker ps', '/usr/bin/docker', ['ps'], dockerEnv],
      ['iotedge list (bin/iotedge)', process.execPath, [path.join(ROOT, 'bin/iotedge'), '-H', host, 'list'], process.env],
      ['iotedge list (tsc output)', process.execPath, [entryTsc, '-H', host, 'list'], process.env],
      ['iotedge list (whole bundle)', process.execPath, [entryBundle, '-H', host, 'list'], process.env],
      ['iotedge list (fast bundle)', process.execPath, [entryFast, '-H', host, 'list'], process.env],
      // --no-verbose is not on the fast path: the same list, parsed by yargs (the cost the fast path saves).
      ['iotedge list via yargs', process.execPath, [entryBundle, '-H', host, 'list', '--no-verbose'], process.env],
      ['node -e 0 (floor)', process.execPath, ['-e', 'console.log(Array(51).fill("x").join("\\n"))'], process.env],
      ['iotedge list, device env', process.execPath, [path.join(ROOT, 'bin/iotedge'), '-H', host, 'list'], deviceEnv],
      ['node -e 0, device env', process.execPath, ['-e', 'console.log(Array(51).fill("x").join("\\n"))'], deviceEnv],
    ];
    for (const [, cmd, args, env] of variants) timed(cmd, args, env, lines); // warm-up
    const samples = variants.map(() => [] as Sample[]);
    for (let r = 0; r < RUNS; r++) variants.forEach(([, cmd, args, env], i) => samples[i].push(timed(cmd, args, env, lines)));
    // The daemon's share: the same GET /modules from this (warm) process, no start-up at all.
    const api: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t0 = process.hrtime.bigint();
      await client.list();
      api.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }

    const wall = samples.map((xs) => median(xs.map((x) => x.wallMs)));
    // On a shared machine the fastest run is the best estimate of a command's own cost.
    const fastest = samples.map((xs) => Math.min(...xs.map((x) => x.wallMs)));
    const cpu = samples.map((xs) => mean(xs.map((x) => x.cpuMs)));
    console.log(`${MODULES} modules, ${RUNS} interleaved runs each (wall: median and fastest; CPU: mean user+sys):`);
    const x = (a: number, b: number) => `${(a / b).toFixed(2)}x`.padStart(6);
    variants.forEach(([label], i) => {
      const ratios = i === 0 ? '' : `   vs docker ps: wall ${x(wall[i], wall[0])} fastest ${x(fastest[i], fastest[0])} CPU ${x(cpu[i], cpu[0])}`;
      console.log(
        `  ${label.padEnd(30)} wall ${wall[i].toFixed(1).padStart(6)} ms  fastest ${fastest[i].toFixed(1).padStart(6)} ms  CPU ${cpu[i].toFixed(1).padStart(5)} ms${ratios}`,
      );
    });
    console.log(`  GET /modules from a warm client (edged's own time): median ${median(api).toFixed(1)} ms`);
    const rss = vmRssKb(edged.pid!);
    console.log(`edged VmRSS with ${MODULES} modules: ${(rss / 1024).toFixed(1)} MiB`);
    const verdict = (i: number) => (wall[i] / wall[0] <= 2 ? 'met' : 'NOT met');
    const deviceIndex = variants.findIndex(([label]) => label === 'iotedge list, device env');
    console.log(
      `goal (bin/iotedge list <= 2x docker ps, wall): ${verdict(1)} here` +
        (process.env.NODE_EXTRA_CA_CERTS ? `, ${verdict(deviceIndex)} without NODE_EXTRA_CA_CERTS (as on a device)` : '') +
        `; load average ${os.loadavg()[0].toFixed(2)}`,
    );
  } finally {
    if (edged && edged.exitCode === null) {
      const exited = new Promise((r) => edged!.once('exit', r));
      edged.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (edged.exitCode === null) edged.kill('SIGKILL');
    }
    for (const c of cleanups) {
      try {
        c();
      } catch (e) {
        console.error(`cleanup: ${(e as Error).message}`);
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
