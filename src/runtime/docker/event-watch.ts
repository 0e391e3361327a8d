/**
 * Keeps an InspectCache honest from the engine's event stream: live while subscribed, every
 * event evicts its container, a lost stream makes the cache forget everything and stop serving
 * until the next subscription (made again on demand, never in a loop).
 */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import type { Logger } from '../../util/log';
import { streamDockerEvents } from './events';
import type { InspectCache } from './inspect-cache';

/** Events older than the subscription by this much are replayed (harmless evictions) to cover its start. */
const REPLAY_SECONDS = 2;
/** How long a list waits for the subscription before it goes ahead without the cache. */
const SUBSCRIBE_PATIENCE_MS = 1000;

export class CacheEventWatch {
  private subscribing?: Promise<void>;
  private aborter?: AbortController;
  private closed = false;

  constructor(
    private readonly docker: Docker,
    private readonly cache: InspectCache,
    private readonly endpoint: string,
    private readonly log: Logger,
  ) {}

  /**
   * Subscribes when not subscribed; resolves once the engine has answered (or failed: the cache then
   * just stays off). The engine flushes its answer before it registers the subscriber, so the
   * subscription asks for a replay since a moment before, and nothing in between is missed.
   */
  ensure(): Promise<void> {
    if (this.cache.live || this.closed) return Promise.resolve();
    this.subscribing ??= this.subscribe().finally(() => (this.subscribing = undefined));
    // An engine slow to answer the subscription must not hold up the list: it then runs uncached.
    let timer: NodeJS.Timeout | undefined;
    const patience = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, SUBSCRIBE_PATIENCE_MS);
      timer.unref();
    });
    return Promise.race([this.subscribing, patience]).finally(() => clearTimeout(timer));
  }

  /** For good: lists are uncached from now on. */
  close(): void {
    this.closed = true;
    this.aborter?.abort();
    this.aborter = undefined;
    this.cache.setLive(false);
  }

  private subscribe(): Promise<void> {
    const aborter = new AbortController();
    this.aborter = aborter;
    // The engine's wall clock, not an injected one: a simulated time must not skip real events.
    const since = Date.now() / 1000 - REPLAY_SECONDS;
    return new Promise<void>((resolve) => {
      const onSubscribed = (stream: Readable) => {
        // Never keeps edged (or a test) alive on its own.
        (stream as Readable & { socket?: { unref?: () => void } }).socket?.unref?.();
        this.cache.setLive(true);
        resolve();
      };
      void (async () => {
        try {
          for await (const e of streamDockerEvents(this.docker, aborter.signal, this.endpoint, { since, onSubscribed })) {
            const id = e.Actor?.ID ?? (e as { id?: string }).id;
            if (id) this.cache.evict(id);
            else this.cache.clear();
          }
        } catch (e) {
          this.log.debug('module list cache off: event stream lost', { error: (e as Error).message });
        } finally {
          if (this.aborter === aborter) {
            this.aborter = undefined;
            this.cache.setLive(false);
          }
          resolve();
        }
      })();
    });
  }
}
