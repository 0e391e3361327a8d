/**
 * The appliance's daemons, as `iotedge system` acts on them. In the snap: snapd's services
 * (snapctl for status/restart/stop and the log-level option the supervisor passes to edged,
 * journalctl for logs). On a development machine: the edged process found by pidfile or /proc;
 * no supervisor there, so a restart stops it and starts it again itself (dev-restart.ts).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { EdgeError, NotFoundError } from '../../errors';
import type { LogLevel } from '../../util/log';
import { findDevEdged, type ProcFs, realProcFs } from './dev-edged';
import { type DevRestartIo, realDevRestartIo, restartDevEdged } from './dev-restart';
import type { Runner, StreamRunner } from './runner';
import { edgedService, type Where } from './where';

export interface ServiceState {
  name: string;
  status: string;
}

export interface LogRequest {
  since?: string;
  tail?: number;
  follow?: boolean;
  extra: string[];
  stdout: NodeJS.WritableStream;
  signal?: AbortSignal;
}

export interface Services {
  status(): Promise<ServiceState[]>;
  restart(): Promise<string>;
  stop(): Promise<string>;
  logs(req: LogRequest): Promise<void>;
  setLogLevel(level: LogLevel): Promise<string>;
}

function failed(what: string, r: { code: number; stderr: string }, hint?: string): EdgeError {
  return new EdgeError(`${what} failed: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`, { hint });
}

export function snapServices(w: Where, runner: Runner, stream: StreamRunner): Services {
  const snap = w.snap?.name ?? 'azure-iot-edge';
  const edged = edgedService(w);
  const units = [`snap.${snap}.iotedged.service`, `snap.${snap}.dockerd.service`];
  return {
    async status() {
      const r = await runner('snapctl', ['services', snap], { timeoutMs: 10_000 });
      if (r.code !== 0) throw failed(`snapctl services ${snap}`, r, `try \`snap services ${snap}\``);
      // Service  Startup  Current  Notes
      return r.stdout
        .split('\n')
        .slice(1)
        .map((l) => l.trim().split(/\s+/))
        .filter((f) => f.length >= 3 && f[0])
        .map(([name, startup, current]) => ({ name, status: `${current === 'active' ? 'Running' : 'Stopped'}${startup === 'disabled' ? ' (disabled)' : ''}` }));
    },
    async restart() {
      const r = await runner('snapctl', ['restart', edged], { timeoutMs: 120_000 });
      if (r.code !== 0) throw failed(`snapctl restart ${edged}`, r, `try \`sudo snap restart ${edged}\``);
      return `Restarted ${edged}.`;
    },
    async stop() {
      const r = await runner('snapctl', ['stop', edged], { timeoutMs: 120_000 });
      if (r.code !== 0) throw failed(`snapctl stop ${edged}`, r, `try \`sudo snap stop ${edged}\``);
      return `Stopped ${edged}. Start it again with \`iotedge system restart\`.`;
    },
    async logs(req) {
      const args = ['--no-pager', '-o', 'short-iso', ...units.flatMap((u) => ['-u', u])];
      if (req.since) args.push('--since', req.since);
      if (req.tail !== undefined) args.push('-n', String(req.tail));
      if (req.follow) args.push('-f');
      args.push(...req.extra);
      const r = await stream('journalctl', args, { stdout: req.stdout, signal: req.signal });
      if (r.code !== 0) throw failed('journalctl', r, `try \`sudo snap logs -n=all ${snap}\``);
    },
    async setLogLevel(level) {
      const set = await runner('snapctl', ['set', `log-level=${level}`], { timeoutMs: 10_000 });
      if (set.code !== 0) throw failed('snapctl set log-level', set, `try \`sudo snap set ${snap} log-level=${level}\``);
      return `Log level set to ${level}. ${await this.restart()}`;
    },
  };
}

export function devServices(
  w: Where,
  kill: (pid: number, signal: string) => void,
  pfs: ProcFs = realProcFs,
  restartIo: DevRestartIo = { ...realDevRestartIo, procFs: pfs, kill },
): Services {
  const find = () => findDevEdged({ home: w.edgedHome, config: w.edgedConfig }, pfs);
  return {
    async status() {
      const p = await find();
      return [{ name: 'edged', status: p ? `Running (pid ${p.pid})` : 'Stopped' }];
    },
    async restart() {
      const p = await find();
      if (!p) return 'edged is not running here: start it (e.g. `make run`); a restart needs its command line.';
      return restartDevEdged(p, { home: w.edgedHome }, restartIo);
    },
    async stop() {
      const p = await find();
      if (!p) return 'edged is not running.';
      kill(p.pid, 'SIGTERM');
      return `Stopped edged (pid ${p.pid}). Outside the snap nothing restarts it: start it again (e.g. \`make run\`).`;
    },
    async logs(req) {
      const file = path.join(w.edgedHome, 'edged.log');
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch {
        throw new NotFoundError(`no edged log at ${file}`, { hint: 'outside the snap edged logs to the terminal it runs in (or redirect it to that file)' });
      }
      const lines = text.split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      req.stdout.write(`${(req.tail !== undefined ? lines.slice(-req.tail) : lines).join('\n')}\n`);
    },
    async setLogLevel(level) {
      throw new EdgeError('outside the snap the log level is part of edged\'s environment', {
        hint: `start edged with AZIOT_LOG_LEVEL=${level}`,
      });
    },
  };
}
