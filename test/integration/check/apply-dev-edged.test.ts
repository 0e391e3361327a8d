/**
 * `iotedge config apply` and `iotedge system restart` on a development machine, against the real
 * bin/edged on a private engine, started as `edged --config FILE --home DIR` (found through
 * /proc, no pidfile at first): each must leave a NEW edged running, started with the same
 * command line in the same directory, that answers on its management socket.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyCommand } from '../../../src/cli/commands/config-apply';
import { ManagementClient } from '../../../src/api/management/client/management-client';
import { devServices } from '../../../src/cli/system/services';
import { where } from '../../../src/cli/system/where';
import { capturedContext } from '../../helpers/cli';
import { until } from '../../helpers/edged';
import { startTestEngine, type TestEngine } from '../../helpers/engine';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const EDGED = path.join(ROOT, 'bin', 'edged');

/** Alive and not a zombie (an exited child jest has not reaped yet still answers kill(pid, 0)). */
const running = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat[stat.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
};

describe('restarting the dev edged', () => {
  let engine: TestEngine;
  let dir: string;
  const pids = new Set<number>();
  beforeAll(async () => {
    // bin/edged runs tsc's output: build it when a bare `jest` run comes before `make build`.
    if (!existsSync(path.join(ROOT, 'dist', 'edged', 'main.js'))) {
      execFileSync(path.join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
    }
    engine = await startTestEngine();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apply-dev-'));
  });
  afterAll(async () => {
    for (const pid of pids) if (running(pid)) process.kill(pid, 'SIGTERM');
    await until('the edged processes to exit', async () => ([...pids].some(running) ? undefined : true), 20_000).catch(() => {
      for (const pid of pids) if (running(pid)) process.kill(pid, 'SIGKILL');
    });
    await engine?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('config apply, then system restart: each leaves a new edged answering on its socket', async () => {
    const target = path.join(dir, 'config.toml');
    const home = path.join(dir, 'edged');
    const config = `[moby_runtime]\nuri = "${engine.host}"\n`;
    await fs.writeFile(target, config);
    const first = spawn(process.execPath, [EDGED, '--config', 'config.toml', '--home', 'edged'], { cwd: dir, stdio: 'ignore' });
    pids.add(first.pid!);
    const firstExit = new Promise<number | null>((r) => first.once('exit', r));
    const client = new ManagementClient(`unix://${path.join(home, 'mgmt.sock')}`);
    const answers = () => until('edged to answer on its management socket', () => client.list().then(() => true, () => undefined), 30_000);
    await answers();

    const src = path.join(dir, 'new.toml');
    await fs.writeFile(src, `${config}# applied\n`);
    const { ctx } = capturedContext({ env: { IOTEDGE_EDGED_HOME: home }, now: () => Date.now() });
    const out = await applyCommand({ configFile: src, configOut: target }, ctx, {
      runner: async () => {
        throw new Error('no programs on a dev machine');
      },
    });
    expect(await firstExit).toBe(0);
    const second = Number((await fs.readFile(path.join(home, 'edged.pid'), 'utf8')).trim());
    pids.add(second);
    expect(second).not.toBe(first.pid);
    const argv = `${process.execPath} ${EDGED} --config config.toml --home edged`;
    expect(out).toEqual([
      `The configuration has been written to ${target}.`,
      `Restarted edged: pid ${first.pid} stopped, pid ${second} started (${argv}, in ${dir}); its output is appended to ${path.join(home, 'edged.log')}.`,
    ]);
    expect(await fs.readFile(target, 'utf8')).toBe(`${config}# applied\n`);
    await answers();
    expect(running(second)).toBe(true);

    const line = await devServices(where({ IOTEDGE_EDGED_HOME: home }), process.kill.bind(process)).restart();
    const third = Number((await fs.readFile(path.join(home, 'edged.pid'), 'utf8')).trim());
    pids.add(third);
    expect(line).toMatch(new RegExp(`^Restarted edged: pid ${second} stopped, pid ${third} started`));
    expect(third).not.toBe(second);
    expect(running(second)).toBe(false);
    await answers();
    // The socket answers a moment before the new edged logs that it is ready.
    await until('the second "edged ready" in edged.log', async () => (/edged ready[\s\S]*edged ready/.test(await fs.readFile(path.join(home, 'edged.log'), 'utf8')) ? true : undefined));
  }, 90_000);
});
