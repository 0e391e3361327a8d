/**
 * `iotedge config apply` on a development machine, against a real process: a stand-in for edged
 * started as `edged --config FILE --home DIR` (found through /proc, no pidfile) must receive
 * SIGTERM once the new configuration is written.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyCommand } from '../../../src/cli/commands/config-apply';
import { capturedContext } from '../../helpers/cli';

describe('config apply stops the running dev edged', () => {
  let dir: string;
  let child: ChildProcess | undefined;
  afterEach(async () => {
    child?.kill('SIGKILL');
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('finds it by its command line and sends SIGTERM', async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'apply-dev-'));
    const target = path.join(dir, 'run', 'config.toml');
    const home = path.join(dir, 'run', 'edged');
    await fs.mkdir(home, { recursive: true });
    await fs.mkdir(path.join(dir, 'bin'));
    // Prints "ready", then waits; says which signal ended it.
    await fs.writeFile(path.join(dir, 'bin', 'edged'), "process.on('SIGTERM', () => { console.log('SIGTERM'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000);\n");
    child = spawn(process.execPath, [path.join(dir, 'bin', 'edged'), '--config', target, '--home', home], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: string[] = [];
    const ended = new Promise<number | null>((r) => child!.once('exit', r));
    await new Promise<void>((resolve) =>
      child!.stdout!.on('data', (c: Buffer) => {
        lines.push(...c.toString().trim().split('\n'));
        if (lines.includes('ready')) resolve();
      }),
    );
    const src = path.join(dir, 'new.toml');
    await fs.writeFile(src, 'hostname = "dev-box"\n');
    const { ctx } = capturedContext({
      env: { IOTEDGE_EDGED_HOME: home },
      now: () => Date.now(),
      runtime: () => {
        throw new Error('no hostname change here: the management API is not asked');
      },
    });
    const out = await applyCommand({ configFile: src, configOut: target }, ctx, {
      runner: async () => {
        throw new Error('no programs on a dev machine');
      },
      kill: process.kill.bind(process),
    });
    expect(await ended).toBe(0);
    expect(lines).toContain('SIGTERM');
    expect(out).toEqual([`The configuration has been written to ${target}.`, `Stopped edged (pid ${child.pid}): start it again to use the new configuration (outside the snap nothing restarts it).`]);
    expect(await fs.readFile(target, 'utf8')).toBe('hostname = "dev-box"\n');
  });
});
