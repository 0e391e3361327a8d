/**
 * Upstream's watchdog, one loop: every 60 s (first at once) look at edgeAgent; stopped or failed:
 * start it; dead or unknown: remove and recreate it; missing: create and start it. Each failed
 * round spends one of `[watchdog] max_retries` (counted over the whole run, as upstream counts).
 */
import { NotFoundError } from '../../errors';
import type { ModuleRuntime } from '../../runtime/types';
import type { Clock } from '../../util/clock';
import type { Logger } from '../../util/log';

export const WATCHDOG_PERIOD_MS = 60_000;

export type WatchdogAction = 'none' | 'start' | 'recreate' | 'create';

/** The plan of one round, from edgeAgent's status (undefined: no such module). Pure. */
export function watchdogAction(status: string | undefined): WatchdogAction {
  switch (status) {
    case undefined:
      return 'create';
    case 'running':
      return 'none';
    case 'stopped':
    case 'failed':
      return 'start';
    default:
      return 'recreate';
  }
}

export interface WatchdogOptions {
  runtime: Pick<ModuleRuntime, 'get' | 'start' | 'remove'>;
  agentName: string;
  /** Updates the $edgeAgent identity, creates the container and starts it. */
  createAndStart: () => Promise<void>;
  maxRetries: number | 'infinite';
  clock: Clock;
  logger: Logger;
  periodMs?: number;
}

export class Watchdog {
  private errors = 0;

  constructor(private readonly options: WatchdogOptions) {}

  get errorCount(): number {
    return this.errors;
  }

  /** One round: what it did. */
  async check(): Promise<WatchdogAction> {
    const { runtime, agentName, logger } = this.options;
    let status: string | undefined;
    try {
      status = (await runtime.get(agentName)).state.status;
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
    }
    const action = watchdogAction(status);
    switch (action) {
      case 'none':
        logger.debug('Edge runtime is running');
        break;
      case 'start':
        logger.info(`Edge runtime status is ${status}, starting module now...`);
        await runtime.start(agentName);
        logger.info(`Started Edge runtime module ${agentName}`);
        break;
      case 'recreate':
        logger.info(`Edge runtime status is ${status}, removing and recreating module...`);
        await runtime.remove(agentName);
        await this.options.createAndStart();
        break;
      case 'create':
        logger.info(`Creating and starting Edge runtime module ${agentName}...`);
        await this.options.createAndStart();
        break;
    }
    return action;
  }

  /** Runs until the signal aborts (resolves) or the retry budget is spent (rejects). */
  async run(signal: AbortSignal): Promise<void> {
    const { clock, logger, maxRetries } = this.options;
    logger.info(`Starting watchdog with ${Math.round((this.options.periodMs ?? WATCHDOG_PERIOD_MS) / 1000)} second period...`);
    while (!signal.aborted) {
      try {
        await this.check();
      } catch (e) {
        if (signal.aborted) return;
        this.errors++;
        logger.warn(`Error in watchdog: ${(e as Error).message}`);
        if (maxRetries !== 'infinite' && this.errors >= maxRetries) {
          throw new Error(`Watchdog error count has exceeded allowed retries (${maxRetries})`, { cause: e });
        }
      }
      try {
        await clock.sleep(this.options.periodMs ?? WATCHDOG_PERIOD_MS, signal);
      } catch {
        return;
      }
    }
  }
}
