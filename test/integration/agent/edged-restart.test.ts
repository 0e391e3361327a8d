/**
 * Survival: edged killed with -9 and started again adopts the running modules (nothing
 * recreated); dockerd restarted under a running agent: the event stream reconnects and the
 * modules stopped with it are started again at once (same containers), not counted as crashes.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestEngine, TestEngine } from '../../helpers/engine';
import { systemClock } from '../../../src/util/clock';
import { deployment, Harness, removeAll, startAgent, until } from './harness';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EDGED = path.join(ROOT, 'bin', 'edged');

let engine: TestEngine;
beforeAll(async () => {
  // The real bin/edged runs tsc's output: build it when a bare `jest` run comes before `make build`.
  if (!existsSync(path.join(ROOT, 'dist', 'agent', 'component.js'))) {
    execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  }
  engine = await startTestEngine();
});
afterAll(async () => {
  await removeAll(engine);
  await engine.stop();
});

const ids = async () => Object.fromEntries((await engine.docker.listContainers({ all: true })).map((c) => [c.Names[0].slice(1), c.Id]));

it('edged killed with -9 and started again adopts the running modules', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'edged-kill-'));
  const file = path.join(dir, 'deployment.json');
  // Modules that exit on SIGTERM, so a restart (which adoption must not cause) would show at once.
  const cmd = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];
  writeFileSync(file, deployment({ alpha: { cmd, startupOrder: 0 }, beta: { cmd, restartPolicy: 'always' } }));
  const config = path.join(dir, 'config.toml');
  writeFileSync(config, `[moby_runtime]\nuri = "${engine.host}"\nnetwork = "edge-agent-test"\n\n[local_deployment]\nfile = "${file}"\n`);
  const home = path.join(dir, 'edged');
  const logs: string[] = [];
  const startEdged = (n: number): ChildProcess => {
    const child = spawn(process.execPath, [EDGED, '--config', config, '--home', home], { stdio: ['ignore', 'pipe', 'pipe'] });
    logs[n] = '';
    child.stdout.on('data', (d) => (logs[n] += d));
    child.stderr.on('data', (d) => (logs[n] += d));
    return child;
  };
  const exited = (child: ChildProcess) => new Promise((r) => child.once('exit', r));
  const first = startEdged(0);
  try {
    await until(async () => {
      const s = JSON.parse(readFileSync(path.join(home, 'reported-state.json'), 'utf8'));
      return s.modules?.alpha?.runtimeStatus === 'running' && s.modules?.beta?.runtimeStatus === 'running';
    }, 'the first edged running the deployment');
    const before = await ids();
    first.kill('SIGKILL');
    await exited(first);
    const second = startEdged(1);
    try {
      await until(() => /Applying deployment version 1/.test(logs[1]) && /edged ready/.test(logs[1]), 'the second edged applying').catch((e) => {
        throw new Error(`${(e as Error).message}; its log:\n${logs[1]}`);
      });
      await until(async () => JSON.parse(readFileSync(path.join(home, 'reported-state.json'), 'utf8')).lastDesiredStatus.code === 200, 'applied');
      expect(await ids()).toEqual(before);
      expect(logs[1]).not.toMatch(/Creating module|Recreating module|Removing module/);
    } finally {
      second.kill('SIGTERM');
      await exited(second);
    }
  } finally {
    if (first.exitCode === null && first.signalCode === null) first.kill('SIGKILL');
  }
}, 60_000);

it('dockerd restarted: the agent reconnects and starts the same containers again at once, not counted as crashes', async () => {
  let h: Harness | undefined;
  try {
    // A cool-off longer than the test: only a plain start (no backoff) brings them back in time.
    h = await startAgent(engine, systemClock, { settings: { coolOffUnitMs: 600_000 } });
    await h.agent.applyText(deployment({ steady: { restartPolicy: 'always' }, nope: { restartPolicy: 'never' } }));
    const before = await ids();
    const dockerdSh = path.join(ROOT, 'test', 'env', 'dockerd.sh');
    execFileSync(dockerdSh, ['stop', engine.dir]);
    execFileSync(dockerdSh, ['start', engine.dir, String(30 + (process.pid % 30))], { env: { ...process.env, SHUTDOWN_TIMEOUT: '2' } });
    // Stopped with the engine, not by themselves: even restartPolicy never runs again.
    for (const name of ['steady', 'nope']) {
      await until(async () => (await engine.docker.getContainer(name).inspect()).State.Running, `${name} running again`, 30_000);
    }
    expect(await ids()).toEqual(before);
    expect(h.log.lines.some((l) => /event stream (ended|failed)/.test(l))).toBe(true);
    const reported = await h.agent.reportedState();
    expect(reported.modules.steady.restartCount).toBe(0);
    expect(reported.modules.nope.restartCount).toBe(0);
  } finally {
    await h?.agent.stop();
  }
}, 60_000);
