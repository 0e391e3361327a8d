/**
 * One supervision loop for one process: prepare (wait for what it needs), start, watch, and on
 * exit or hang restart with bounded backoff. The watch is tick-or-event: a probe every tick,
 * the child's exit and the caller's abort are the events. A "fatal" exit (e.g. edged's 153:
 * settings are wrong) ends the loop instead of restarting it.
 */
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import { Backoff } from './backoff';
import { StartDeadline } from './start-deadline';
import { type Child, type Exit, type SpawnRequest, type Spawner, describeExit } from './spawner';

export interface SuperviseEvents {
  starting?(pid: number): void;
  ready?(afterMs: number): void;
  /** A probe succeeded after the process became ready. */
  alive?(): void;
  /** A probe failed after the process became ready (restarted after unhealthyAfter in a row). */
  unanswered?(failures: number): void;
  hang?(reason: string): void;
  /** It exited by itself (not after a hang, which hang() reported). */
  exited?(exit: Exit, restartInMs: number): void;
  fatal?(reason: string): void;
}

export interface SuperviseOptions {
  name: string;
  spawner: Spawner;
  request: () => Promise<SpawnRequest>;
  clock: Clock;
  logger: Logger;
  signal: AbortSignal;
  backoff?: Backoff;
  /** Before every start: the process a crashed supervisor left running, to watch instead of a new one. */
  adopt?: () => Promise<Child | undefined>;
  /** Is the process stopped (SIGSTOP, state T)? A stopped process is restarted at once. */
  frozen?: (pid: number) => Promise<boolean>;
  /** Runs before every start; resolves when the process may start (rejects on abort). */
  prepare?: (signal: AbortSignal) => Promise<void>;
  /** One health check: true when the process answers. Must bound its own time. */
  probe: (signal: AbortSignal) => Promise<boolean>;
  /** Probe period until the first success. */
  startupProbeMs: number;
  /** Probe period once ready. */
  probeIntervalMs: number;
  /** Restart if not ready this long after start (the "Initializing modules" hang), unless it still works (start-deadline.ts). */
  readyDeadlineMs: number;
  /** CPU time the process has used: a start that keeps working outlives readyDeadlineMs. */
  cpuMs?: (pid: number) => Promise<number | undefined>;
  /** Restart after this many failed probes in a row once ready. */
  unhealthyAfter: number;
  /** SIGTERM, then SIGKILL after this long. */
  stopGraceMs: number;
  /** On a requested stop, before SIGTERM (e.g. stop the engine's containers). Must bound its time. */
  beforeStop?: () => Promise<void>;
  /** A reason string for exits that must not be restarted. */
  fatalReason?: (exit: Exit) => string | undefined;
  events?: SuperviseEvents;
}

export type Outcome = { kind: 'stopped' } | { kind: 'fatal'; reason: string; exit: Exit };

type Race = { kind: 'exit'; exit: Exit } | { kind: 'hang'; reason: string } | { kind: 'abort' };

export async function supervise(o: SuperviseOptions): Promise<Outcome> {
  const backoff = o.backoff ?? new Backoff();
  const ev = o.events ?? {};
  const log = o.logger;
  while (!o.signal.aborted) {
    try {
      await o.prepare?.(o.signal);
    } catch (e) {
      if (o.signal.aborted) break;
      throw e;
    }
    if (o.signal.aborted) break;
    const adopted = await o.adopt?.();
    const child = adopted ?? o.spawner(await o.request());
    const started = o.clock.now();
    log.info(adopted ? `${o.name} is still running (the supervisor restarted): adopted` : `${o.name} started`, { pid: child.pid });
    ev.starting?.(child.pid);

    const watchCtl = new AbortController();
    const onAbort = () => watchCtl.abort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    const first = await Promise.race<Race>([
      child.exited.then((exit) => ({ kind: 'exit', exit })),
      watch(o, child.pid, started, watchCtl.signal).then((reason) => ({ kind: 'hang', reason })),
      aborted(watchCtl.signal).then(() => ({ kind: o.signal.aborted ? 'abort' : 'hang', reason: '' })),
    ]);
    o.signal.removeEventListener('abort', onAbort);
    watchCtl.abort();

    if (first.kind === 'abort') {
      log.info(`${o.name}: stopping`);
      await o.beforeStop?.().catch((e: Error) => log.warn(`${o.name}: before stopping: ${e.message}`));
      await stop(o, child, o.stopGraceMs);
      break;
    }
    let exit: Exit;
    if (first.kind === 'hang') {
      log.warn(`${o.name} ${first.reason}: restarting it`);
      ev.hang?.(first.reason);
      // SIGCONT too: a stopped process then handles the SIGTERM; a wedged one gets SIGKILL after 5 s.
      exit = await stop(o, child, Math.min(o.stopGraceMs, 5000), true);
    } else {
      exit = first.exit;
    }
    const fatal = o.fatalReason?.(exit);
    if (fatal) {
      log.error(`${o.name} ${describeExit(exit)}: ${fatal}; not restarting it`);
      ev.fatal?.(fatal);
      return { kind: 'fatal', reason: fatal, exit };
    }
    const delay = backoff.next(o.clock.now() - started);
    if (first.kind === 'exit') {
      log.warn(`${o.name} ${describeExit(exit)}: restarting in ${delay / 1000}s`);
      ev.exited?.(exit, delay);
    }
    try {
      await sleepLinked(o.clock, delay, o.signal);
    } catch {
      break;
    }
  }
  return { kind: 'stopped' };
}

/** clock.sleep on a child signal, so no listener stays on the long-lived one after each sleep. */
export async function sleepLinked(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  const ctl = new AbortController();
  const link = () => ctl.abort(signal.reason);
  if (signal.aborted) link();
  else signal.addEventListener('abort', link, { once: true });
  try {
    await clock.sleep(ms, ctl.signal);
  } finally {
    signal.removeEventListener('abort', link);
  }
}

/** Resolves with a reason when the process must be restarted; never resolves otherwise. */
async function watch(o: SuperviseOptions, pid: number, started: number, signal: AbortSignal): Promise<string> {
  let ready = false;
  let failures = 0;
  const deadline = new StartDeadline(o.readyDeadlineMs, started);
  let toldSlow = false;
  try {
    for (;;) {
      await sleepLinked(o.clock, ready ? o.probeIntervalMs : o.startupProbeMs, signal);
      if (await o.frozen?.(pid).catch(() => false)) return 'is stopped (SIGSTOP)';
      const asked = o.clock.now();
      const ok = await o.probe(signal).catch(() => false);
      if (signal.aborted) break;
      if (!ready) {
        if (ok) {
          ready = true;
          o.logger.info(`${o.name} is ready`, { afterMs: o.clock.now() - started });
          o.events?.ready?.(o.clock.now() - started);
        } else {
          const now = o.clock.now();
          const giveUp = deadline.check(now, deadline.sampling(now) ? await o.cpuMs?.(pid).catch(() => undefined) : undefined);
          if (giveUp) return giveUp;
          if (deadline.extended(now) && !toldSlow) {
            toldSlow = true;
            o.logger.warn(`${o.name} is not ready ${Math.round(o.readyDeadlineMs / 1000)}s after start but still working: waiting for it`);
          }
        }
      } else if (ok) {
        failures = 0;
        o.events?.alive?.();
      } else {
        // How long the failed probe took tells a timeout (a busy or wedged process) from a refusal (gone).
        o.logger.warn(`${o.name} did not answer a probe`, { inARow: failures + 1, afterMs: o.clock.now() - asked });
        if (++failures >= o.unhealthyAfter) return `stopped answering (${failures} probes failed in a row)`;
        o.events?.unanswered?.(failures);
      }
    }
  } catch {
    /* aborted */
  }
  return new Promise<string>(() => undefined);
}

async function stop(o: SuperviseOptions, child: Child, graceMs: number, resume = false): Promise<Exit> {
  child.kill('SIGTERM');
  if (resume) child.kill('SIGCONT');
  const ctl = new AbortController();
  const exit = await Promise.race([
    child.exited,
    o.clock.sleep(graceMs, ctl.signal).then(
      () => undefined,
      () => undefined,
    ),
  ]);
  ctl.abort();
  if (exit) return exit;
  o.logger.warn(`${o.name} did not stop within ${graceMs / 1000}s: killing it`);
  child.kill('SIGKILL');
  return child.exited;
}

function aborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
}
