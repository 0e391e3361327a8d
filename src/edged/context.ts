/**
 * What edged's parts are built from, made once by the daemon and never changed: the config, the
 * engine and the daemon's own means. What a component gives the others (the runtime layer it
 * adds, the agent's module status, the collector) it returns, and `createComponents` passes on.
 */
import type Docker from 'dockerode';
import type { SuperConfig } from '../config/types';
import type { ModuleRuntime } from '../runtime/types';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import type { Mutex } from '../util/mutex';

export interface EdgedContext {
  config: SuperConfig;
  /** Absolute path of `--home`: edged's state (0700). */
  home: string;
  logger: Logger;
  clock: Clock;
  docker: Docker;
  /** The Docker engine's runtime: the bottom of the runtime stack `createComponents` builds. */
  engine: ModuleRuntime;
  /** Taken around pulls and creates, so image collection never races a deployment. */
  deploymentLock: Mutex;
  /** Aborted when edged begins to stop: components' loops end on it. */
  signal: AbortSignal;
  /**
   * A component that cannot go on says so here: edged stops and exits non-zero, so whatever
   * supervises it starts it afresh (upstream exits when the watchdog's retries run out).
   */
  fatal: (e: Error) => void;
}

/** A part of edged with a lifetime: started in list order, stopped in reverse. */
export interface Component {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
