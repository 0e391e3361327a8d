/**
 * Inspect results of owned containers, so list() need not inspect every module on every call.
 * Pure bookkeeping, no I/O: the runtime feeds it the engine's list and events.
 *
 * An entry is served only when all of these hold, so it is never older than the engine's truth:
 * - the cache is live: the engine's event stream is connected (every change after the
 *   subscription evicts the container's entry);
 * - the container's State, Status wording ("Up <duration> (unhealthy)", "Exited (1) <duration>
 *   ago"), names and network endpoint ids (new on every start) in the engine's list are the ones
 *   the entry was stored with, and the listed duration fits the cached start or finish time
 *   (status-phrase.ts): this covers a change whose event is still on its way when the list is taken;
 * - no event for the container arrived while its inspect was in flight (else the result is dropped);
 * - the container had not started or stopped within `settleMs` of the inspect: a change right
 *   after another one could leave Status unchanged ("Up Less than a second" both times) while its
 *   event is still on its way, so young states are always inspected.
 */
import type { ContainerInspectInfo } from 'dockerode';
import { parseDockerTime } from './state';
import { fitsPhrase, parseStatusPhrase } from './status-phrase';

/** The fields of Docker's container list the key is made of. */
export interface ListedContainer {
  Id: string;
  Names?: string[];
  State?: string;
  Status?: string;
  NetworkSettings?: { Networks?: Record<string, { EndpointID?: string } | null> | null } | null;
}

/** What moduleFromInspect reads; the rest of inspect (HostConfig, NetworkSettings, ...) is not kept. */
export type InspectSnapshot = Pick<ContainerInspectInfo, 'Id' | 'Name' | 'Image' | 'State'> & {
  Config: Pick<ContainerInspectInfo['Config'], 'Labels' | 'Env' | 'Image'>;
};

export function snapshotOf(info: ContainerInspectInfo): InspectSnapshot {
  return {
    Id: info.Id,
    Name: info.Name,
    Image: info.Image,
    State: info.State,
    Config: { Labels: info.Config?.Labels, Env: info.Config?.Env, Image: info.Config?.Image },
  };
}

export function keyOf(c: ListedContainer): string {
  const endpoints = Object.entries(c.NetworkSettings?.Networks ?? {}).map(([net, e]) => `${net}=${e?.EndpointID ?? ''}`);
  const status = parseStatusPhrase(c.Status)?.shape ?? c.Status ?? null;
  return JSON.stringify([c.State ?? null, status, c.Names ?? null, endpoints.sort()]);
}

/** Whether the duration in the listed status fits the cached state's start or finish time. */
function fitsListedDuration(c: ListedContainer, info: InspectSnapshot, nowMs: number): boolean {
  const phrase = parseStatusPhrase(c.Status);
  if (!phrase) return true; // no duration: the whole status is in the key
  const at = phrase.since === 'started' ? info.State?.StartedAt : info.State?.FinishedAt;
  return fitsPhrase(phrase, parseDockerTime(at)?.getTime(), nowMs);
}

/** How long after a start or stop a container's inspect is not kept (see above). */
export const DEFAULT_SETTLE_MS = 5000;

/** The container's last start or stop, in ms (0 when it never ran). */
export function lastChangeMs(state: Partial<InspectSnapshot['State']> | undefined): number {
  const times = [state?.StartedAt, state?.FinishedAt].map((t) => parseDockerTime(t)?.getTime() ?? 0);
  return Math.max(...times);
}

/** Taken before an inspect starts; the result is stored only if nothing happened to the container since. */
export interface InspectTicket {
  readonly id: string;
  readonly key: string;
  readonly tick: number;
}

export class InspectCache {
  private readonly entries = new Map<string, { key: string; info: InspectSnapshot }>();
  /** Last tick at which each container saw an event; kept only while some inspect is in flight. */
  private readonly touched = new Map<string, number>();
  private tick = 0;
  /** Tick of the last clear (going live or not live): tickets older than that are void. */
  private clearedAt = 0;
  private inFlight = 0;
  private isLive = false;

  /** `now` is the engine's wall clock (Date.now on the same host), not a simulated one. */
  constructor(
    private readonly settleMs = DEFAULT_SETTLE_MS,
    private readonly now: () => number = Date.now,
  ) {}

  get live(): boolean {
    return this.isLive;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The event stream is connected (true) or lost (false): either way, everything known is forgotten. */
  setLive(live: boolean): void {
    this.isLive = live;
    this.clear();
  }

  /** Any event for the container (start, die, kill, rename, health_status, destroy, ...). */
  evict(id: string): void {
    this.entries.delete(id);
    if (this.inFlight > 0) this.touched.set(id, ++this.tick);
  }

  clear(): void {
    this.entries.clear();
    this.touched.clear();
    this.clearedAt = ++this.tick;
  }

  /** The cached inspect for this listed container, if it is still the truth. */
  lookup(c: ListedContainer): InspectSnapshot | undefined {
    if (!this.isLive) return undefined;
    const entry = this.entries.get(c.Id);
    if (!entry || entry.key !== keyOf(c) || !fitsListedDuration(c, entry.info, this.now())) return undefined;
    return entry.info;
  }

  /** Call before inspecting; pass the ticket to store() or abandon() exactly once. */
  begin(c: ListedContainer): InspectTicket {
    this.inFlight++;
    return { id: c.Id, key: keyOf(c), tick: ++this.tick };
  }

  store(ticket: InspectTicket, info: InspectSnapshot): void {
    const fresh = this.isLive && this.clearedAt < ticket.tick && (this.touched.get(ticket.id) ?? 0) < ticket.tick;
    const settled = this.now() - lastChangeMs(info.State) >= this.settleMs;
    if (fresh && settled) this.entries.set(ticket.id, { key: ticket.key, info });
    this.abandon();
  }

  abandon(): void {
    if (--this.inFlight === 0) this.touched.clear();
  }

  /** Drops entries of containers no longer listed (removed behind our back without us seeing the event). */
  retainOnly(ids: Iterable<string>): void {
    const keep = new Set(ids);
    for (const id of this.entries.keys()) if (!keep.has(id)) this.entries.delete(id);
  }
}
