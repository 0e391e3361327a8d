/**
 * Everything edged's parts share, built once by the daemon. Components fill the optional slots
 * (they are read lazily by the management API, so a slot may be filled after it started).
 */
import type Docker from 'dockerode';
import type { ManagementContext } from '../api/management/context';
import type { SuperConfig } from '../config/types';
import type { ImageGcHandle } from '../gc/service';
import type { ModuleRuntime } from '../runtime/types';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import type { Mutex } from '../util/mutex';

export interface EdgedContext extends ManagementContext {
  config: SuperConfig;
  /** Absolute path of `--home`: edged's state (0700). */
  home: string;
  logger: Logger;
  clock: Clock;
  docker: Docker;
  /** The runtime stack's top: the daemon's Docker runtime until `createComponents` puts its layers over it. */
  runtime: ModuleRuntime;
  deploymentLock: Mutex;
  /** Aborted when edged begins to stop: components' loops end on it. */
  signal: AbortSignal;
  /**
   * A component that cannot go on says so here: edged stops and exits non-zero, so whatever
   * supervises it starts it afresh (upstream exits when the watchdog's retries run out).
   */
  fatal?: (e: Error) => void;
  /** The images the current desired deployment references (filled by the agent, read by image GC). */
  desiredImages?: () => Promise<string[]> | string[];
  /** The image garbage collector, as the API and the agent's reported state use it (filled by image GC). */
  imageGc?: ImageGcHandle;
}

/** A part of edged with a lifetime: started in list order, stopped in reverse. */
export interface Component {
  name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
