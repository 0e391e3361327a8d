/**
 * The `iotedged` service: waits for the snap's engine, runs edged, restarts it when it dies,
 * when it is not ready within a deadline, or when its management API stops answering (the
 * prototype's hang at "Initializing modules"). Exit code 153 means "settings are wrong": the
 * service stops with the reason in the snap's health instead of looping.
 */
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import { ExitCode } from '../errors';
import { type ProcessTable, procTable } from './adopt';
import { Backoff } from './backoff';
import type { Health, HealthReport } from './health';
import { type Probe } from './probes';
import { type Spawner, describeExit } from './spawner';
import { type Outcome, sleepLinked, supervise } from './supervise';

export interface IotedgedServiceDeps {
  spawner: Spawner;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  health: Health;
  /** node + edged's entry point, and its arguments. */
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  engineProbe: Probe;
  edgedProbe: Probe;
  procs?: ProcessTable;
  timing?: Partial<{
    engineWaitMs: number;
    startupProbeMs: number;
    probeIntervalMs: number;
    readyDeadlineMs: number;
    unhealthyAfter: number;
    stopGraceMs: number;
  }>;
}

/**
 * A hung edged is replaced within 15 s: a stopped one (state T) at the next probe (2 s); one that
 * does not answer 2 probes in a row (2 s apart, 5 s each: main.ts's edgedAnswers). Under TCG in
 * the VM an edged busy starting its modules once took 2.8 s to answer: with 3 probes of 2.5 s such
 * slowness, three times in a row, restarted it (a false positive); 2 of 5 s keep the 15 s.
 */
export const DEFAULT_EDGED_TIMING = {
  engineWaitMs: 1000,
  startupProbeMs: 500,
  probeIntervalMs: 2000,
  readyDeadlineMs: 90_000,
  unhealthyAfter: 2,
  stopGraceMs: 20_000,
};

/**
 * edged's probe; when edged does not answer while the engine does not either, edged is not the
 * one to restart (the dockerd service restarts the engine).
 */
function edgedNotBlamedForTheEngine(d: IotedgedServiceDeps): Probe {
  return async (signal) => (await d.edgedProbe(signal).catch(() => false)) || !(await d.engineProbe(signal).catch(() => false));
}

export function runIotedgedService(d: IotedgedServiceDeps): Promise<Outcome> {
  const t = { ...DEFAULT_EDGED_TIMING, ...d.timing };
  let problem = false;
  const report = (h: HealthReport) => {
    problem = true;
    void d.health.report(h);
  };
  const ok = () => {
    problem = false;
    void d.health.report({ status: 'okay' });
  };
  return supervise({
    name: 'edged',
    spawner: d.spawner,
    clock: d.clock,
    logger: d.logger,
    signal: d.signal,
    backoff: new Backoff({ initialMs: 1000, maxMs: 60_000, factor: 2, resetAfterMs: 120_000 }),
    probe: edgedNotBlamedForTheEngine(d),
    frozen: async (pid) => (await (d.procs ?? procTable).state(pid)) === 'T',
    cpuMs: async (pid) => (d.procs ?? procTable).cpuMs?.(pid),
    startupProbeMs: t.startupProbeMs,
    probeIntervalMs: t.probeIntervalMs,
    readyDeadlineMs: t.readyDeadlineMs,
    unhealthyAfter: t.unhealthyAfter,
    stopGraceMs: t.stopGraceMs,
    prepare: async (signal) => {
      let told = false;
      while (!(await d.engineProbe(signal).catch(() => false))) {
        if (!told) {
          d.logger.info('waiting for the Docker engine');
          await d.health.report({ status: 'waiting', message: 'waiting for the Docker engine (dockerd service)', code: 'engine-wait' });
          told = true;
        }
        await sleepLinked(d.clock, t.engineWaitMs, signal);
      }
    },
    request: async () => ({ command: d.command, args: d.args, env: d.env }),
    fatalReason: (exit) =>
      exit.code === ExitCode.badConfig ? 'the configuration is invalid (see snap logs azure-iot-edge.iotedged)' : undefined,
    events: {
      // After a hang or a crash the problem stands until the new edged answers.
      starting: () => {
        if (!problem) void d.health.report({ status: 'waiting', message: 'edged is starting', code: 'edged-starting' });
      },
      ready: () => ok(),
      alive: () => ok(),
      unanswered: (n) => report({ status: 'error', message: `edged does not answer (${n} probe${n > 1 ? 's' : ''} in a row)`, code: 'edged-hang' }),
      hang: (reason) => report({ status: 'error', message: `edged ${reason}; restarted`, code: 'edged-hang' }),
      exited: (exit, delay) =>
        report({
          status: 'error',
          message: `edged ${describeExit(exit)}; restart in ${Math.ceil(delay / 1000)}s`,
          code: 'edged-restarting',
        }),
      fatal: () =>
        void d.health.report({ status: 'error', message: 'invalid configuration: fix it with snap set', code: 'config-error' }),
    },
  });
}
