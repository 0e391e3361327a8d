/**
 * The `iotedged` service: waits for the snap's engine, runs edged, restarts it when it dies,
 * when it is not ready within a deadline, or when its management API stops answering (the
 * prototype's hang at "Initializing modules"). Exit code 153 means "settings are wrong": the
 * service stops with the reason in the snap's health instead of looping.
 */
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import { ExitCode } from '../errors';
import { Backoff } from './backoff';
import type { Health } from './health';
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
  timing?: Partial<{
    engineWaitMs: number;
    startupProbeMs: number;
    probeIntervalMs: number;
    readyDeadlineMs: number;
    unhealthyAfter: number;
    stopGraceMs: number;
  }>;
}

export const DEFAULT_EDGED_TIMING = {
  engineWaitMs: 1000,
  startupProbeMs: 500,
  probeIntervalMs: 5000,
  readyDeadlineMs: 90_000,
  unhealthyAfter: 3,
  stopGraceMs: 20_000,
};

export function runIotedgedService(d: IotedgedServiceDeps): Promise<Outcome> {
  const t = { ...DEFAULT_EDGED_TIMING, ...d.timing };
  return supervise({
    name: 'edged',
    spawner: d.spawner,
    clock: d.clock,
    logger: d.logger,
    signal: d.signal,
    backoff: new Backoff({ initialMs: 1000, maxMs: 60_000, factor: 2, resetAfterMs: 120_000 }),
    probe: d.edgedProbe,
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
      starting: () => void d.health.report({ status: 'waiting', message: 'edged is starting', code: 'edged-starting' }),
      ready: () => void d.health.report({ status: 'okay' }),
      alive: () => void d.health.report({ status: 'okay' }),
      hang: (reason) => void d.health.report({ status: 'error', message: `edged ${reason}; restarted`, code: 'edged-hang' }),
      exited: (exit, delay) =>
        void d.health.report({
          status: 'error',
          message: `edged ${describeExit(exit)}; restart in ${Math.ceil(delay / 1000)}s`,
          code: 'edged-restarting',
        }),
      fatal: () =>
        void d.health.report({ status: 'error', message: 'invalid configuration: fix it with snap set', code: 'config-error' }),
    },
  });
}
