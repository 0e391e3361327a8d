/** The `dockerd` service: the snap's private engine, supervised. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { SnapPaths } from '../snap/paths';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import { writeFileAtomic } from '../util/atomic-write';
import { writeEngineOutage } from '../util/engine-outage-record';
import { type ProcessTable, adoptablePid, adoptedChild, procTable } from './adopt';
import { Backoff } from './backoff';
import { bridgeToCreate } from '../snap/engine/bridge';
import { ContainerdKeeper } from './containerd';
import { STOP_CONTAINERS_BOUND_MS, stopAllContainers } from './stop-containers';
import { defaultDaemonJson, dockerdArgs } from '../snap/engine/settings';
import type { Health, HealthReport } from './health';
import { type Probe, dockerPing } from './probes';
import type { Child, Spawner } from './spawner';
import { describeExit } from './spawner';
import { type Outcome, sleepLinked, supervise } from './supervise';

export interface DockerdServiceDeps {
  paths: SnapPaths;
  spawner: Spawner;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  health: Health;
  ensureBridge: (name: string) => Promise<unknown>;
  dockerdBinary?: string;
  containerdBinary?: string;
  /** Does containerd's socket exist yet? (injected in unit tests) */
  socketExists?: (file: string) => Promise<boolean>;
  env?: NodeJS.ProcessEnv;
  probe?: Probe;
  /** On a requested stop: stop every container of the engine (live-restore would keep them). */
  stopContainers?: () => Promise<void>;
  /** Wall clock for the planned-stop record edged reads (its agent's clock is the wall clock too). */
  now?: () => number;
  procs?: ProcessTable;
  /** Bytes free for the engine's data-root (injected in unit tests). */
  diskFree?: (dir: string) => Promise<number>;
  timing?: Partial<{
    startupProbeMs: number;
    probeIntervalMs: number;
    readyDeadlineMs: number;
    unhealthyAfter: number;
    stopGraceMs: number;
    containerdStopGraceMs: number;
  }>;
}

/**
 * daemon.json as dockerd will read it. Unparsable (edited by hand): say so in the snap's health
 * and wait for it to be fixed (re-read every 5 s), instead of a dockerd that exits at once and
 * a restart loop that only the journal shows.
 */
async function readValidDaemonJson(d: DockerdServiceDeps, signal: AbortSignal): Promise<Record<string, unknown>> {
  let reported = '';
  for (;;) {
    try {
      return await readDaemonJson(d.paths.daemonJson);
    } catch (e) {
      const reason = `${d.paths.daemonJson} is not valid JSON (${(e as Error).message})`;
      if (reason !== reported) {
        d.logger.error(`${reason}: fix it with snap set azure-iot-edge docker.daemon='{...}'`);
        await d.health.report({ status: 'error', message: `${reason}; set docker.daemon again`, code: 'engine-config-error' });
        reported = reason;
      }
      await sleepLinked(d.clock, 5000, signal);
    }
  }
}

export async function readDaemonJson(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
}

/**
 * A frozen engine is restarted within 15 s: a stopped process (state T) at the next probe (2 s),
 * one that does not answer /_ping after 3 probes in a row (2 s apart, 2.5 s each).
 */
export const DOCKERD_TIMING = {
  startupProbeMs: 250,
  probeIntervalMs: 2000,
  readyDeadlineMs: 120_000,
  unhealthyAfter: 3,
  stopGraceMs: 20_000,
  containerdStopGraceMs: 10_000,
};
const PING_TIMEOUT_MS = 2500;
/** Less than this free where the engine keeps its data: pulls, container writes and logs fail. */
export const DISK_FULL_BELOW_BYTES = 16 * 1024 * 1024;

const statfsFree = async (dir: string) => {
  const s = await fs.statfs(dir);
  return s.bavail * s.bsize;
};

/** A requested stop at its longest: containers, dockerd, containerd (must fit the stop-timeout). */
export const DOCKERD_STOP_BUDGET_MS = STOP_CONTAINERS_BOUND_MS + DOCKERD_TIMING.stopGraceMs + DOCKERD_TIMING.containerdStopGraceMs;

/**
 * containerd first (wait for its socket), then dockerd pointed at it. dockerd dies: only dockerd
 * restarts (the containers keep running in containerd). containerd dies: dockerd is stopped too
 * and both restart with the backoff. A requested stop: containers, dockerd, then containerd.
 */
export async function runDockerdService(d: DockerdServiceDeps): Promise<Outcome> {
  const { containerdStopGraceMs, ...t } = { ...DOCKERD_TIMING, ...d.timing };
  let dockerd: Child | undefined;
  const containerd = new ContainerdKeeper({
    paths: d.paths,
    spawner: d.spawner,
    clock: d.clock,
    logger: d.logger,
    binary: d.containerdBinary,
    env: d.env,
    socketExists: d.socketExists,
    procs: d.procs,
    onUnexpectedExit: () => {
      void d.health.report({ status: 'error', message: 'containerd died; restarting the engine', code: 'engine-down' });
      dockerd?.kill('SIGTERM');
    },
  });
  try {
    return await superviseDockerd(d, t, containerd, (c) => (dockerd = c));
  } finally {
    await stopLeftDockerd(d, t.stopGraceMs);
    await containerd.stop(containerdStopGraceMs);
  }
}

/**
 * A requested stop: edged is told first (the outage record, marked planned) that the modules are
 * about to stop on purpose, so the edged still running neither restarts them nor counts a crash,
 * and the next one starts them at once; then every container stops.
 */
async function stopModulesOnPurpose(d: DockerdServiceDeps): Promise<void> {
  // No home: edged never ran, nobody to tell (and its home is edged's to create, with its mode).
  const edgedRan = await fs.stat(path.dirname(d.paths.edgedEngineOutage)).then(() => true, () => false);
  if (edgedRan) await writeEngineOutage(d.paths.edgedEngineOutage, { from: (d.now ?? Date.now)(), planned: true }).catch((e: Error) =>
    d.logger.warn(`cannot tell edged the modules stop on purpose: ${e.message}`),
  );
  await (d.stopContainers ?? (() => stopAllContainers(d.paths.dockerSock, d.logger)))();
}

/**
 * Stopped before the loop adopted it (a stop during prepare, right after a supervisor crash): the
 * dockerd a crashed supervisor left must still stop before containerd, its containers first.
 */
async function stopLeftDockerd(d: DockerdServiceDeps, graceMs: number): Promise<void> {
  const procs = d.procs ?? procTable;
  const pid = await adoptablePid(d.paths.dockerPidfile, `--pidfile=${d.paths.dockerPidfile}`, procs);
  if (pid === undefined) return;
  d.logger.info('stopping the dockerd a previous supervisor left running', { pid });
  await stopModulesOnPurpose(d).catch((e: Error) => d.logger.warn(`dockerd: before stopping: ${e.message}`));
  const child = adoptedChild(pid, procs, d.clock);
  child.kill('SIGTERM');
  const ctl = new AbortController();
  const gone = await Promise.race([child.exited.then(() => true), d.clock.sleep(graceMs, ctl.signal).then(() => false, () => false)]);
  ctl.abort();
  if (!gone) child.kill('SIGKILL');
}

function superviseDockerd(
  d: DockerdServiceDeps,
  t: { startupProbeMs: number; probeIntervalMs: number; readyDeadlineMs: number; unhealthyAfter: number; stopGraceMs: number },
  containerd: ContainerdKeeper,
  started: (c: Child) => void,
): Promise<Outcome> {
  const procs = d.procs ?? procTable;
  return supervise({
    name: 'dockerd',
    spawner: (req) => {
      const c = d.spawner(req);
      started(c);
      return c;
    },
    clock: d.clock,
    logger: d.logger,
    signal: d.signal,
    backoff: new Backoff({ initialMs: 500, maxMs: 30_000, factor: 2, resetAfterMs: 60_000 }),
    probe: d.probe ?? dockerPing(d.paths.dockerSock, PING_TIMEOUT_MS),
    ...t,
    adopt: async () => {
      const pid = await adoptablePid(d.paths.dockerPidfile, `--pidfile=${d.paths.dockerPidfile}`, procs);
      return pid === undefined ? undefined : adoptedChild(pid, procs, d.clock);
    },
    cpuMs: async (pid) => procs.cpuMs?.(pid),
    frozen: async (pid) => {
      await containerd.thawIfFrozen();
      return (await procs.state(pid)) === 'T';
    },
    beforeStop: () => stopModulesOnPurpose(d),
    prepare: async (signal) => {
      for (const dir of [d.paths.dockerDataRoot, d.paths.dockerExecRoot, path.dirname(d.paths.daemonJson)]) {
        await fs.mkdir(dir, { recursive: true, mode: 0o711 });
      }
      let daemonJson = await readValidDaemonJson(d, signal);
      if (Object.keys(daemonJson).length === 0) {
        daemonJson = defaultDaemonJson();
        await writeFileAtomic(d.paths.daemonJson, JSON.stringify(daemonJson, null, 2) + '\n', { mode: 0o644 });
      }
      const bridge = bridgeToCreate(daemonJson);
      if (bridge) await d.ensureBridge(bridge);
      await containerd.ensure(signal);
    },
    request: async () => ({
      command: d.dockerdBinary ?? 'dockerd',
      args: dockerdArgs(d.paths),
      env: d.env,
    }),
    events: {
      ready: () => void diskHealth(d).then((h) => d.health.report(h)),
      alive: () => void diskHealth(d).then((h) => d.health.report(h)),
      unanswered: (n) =>
        void d.health.report({ status: 'error', message: `Docker engine does not answer (${n} ping${n > 1 ? 's' : ''} in a row)`, code: 'engine-hang' }),
      exited: (exit, delay) =>
        void d.health.report({
          status: 'error',
          message: `Docker engine ${describeExit(exit)}; restart in ${Math.ceil(delay / 1000)}s`,
          code: 'engine-down',
        }),
      hang: (reason) => void d.health.report({ status: 'error', message: `Docker engine ${reason}; restarting it`, code: 'engine-hang' }),
    },
  });
}

/** The engine answers: okay, unless its data disk is (nearly) full. */
async function diskHealth(d: DockerdServiceDeps): Promise<HealthReport> {
  const free = await (d.diskFree ?? statfsFree)(d.paths.dockerDataRoot).catch(() => Infinity);
  if (free >= DISK_FULL_BELOW_BYTES) return { status: 'okay' };
  return {
    status: 'error',
    message: `disk-full: ${Math.floor(free / 1024 / 1024)} MiB free for the engine's data; free space`,
    code: 'disk-full',
  };
}
