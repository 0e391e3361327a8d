/** The engine's event stream for owned containers, as an async iterable that ends when the signal aborts. */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { UnavailableError } from '../../errors';
import { OWNER_LABEL, OWNER_VALUE, RuntimeEvent } from '../types';

export interface DockerEvent {
  Type?: string;
  Action?: string;
  status?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

export function eventFilters(): Record<string, string[]> {
  return { type: ['container'], label: [`${OWNER_LABEL}=${OWNER_VALUE}`] };
}

export function runtimeEventFrom(e: DockerEvent): RuntimeEvent | undefined {
  const attrs = e.Actor?.Attributes ?? {};
  const name = attrs.name;
  const action = e.Action ?? e.status;
  if (!name || !action) return undefined;
  const ms = e.timeNano ? Math.floor(e.timeNano / 1e6) : (e.time ?? 0) * 1000;
  const event: RuntimeEvent = { name, action, time: new Date(ms) };
  if (attrs.exitCode !== undefined && attrs.exitCode !== '') {
    const code = Number(attrs.exitCode);
    if (Number.isFinite(code)) event.exitCode = code;
  }
  return event;
}

function streamClosed(endpoint: string, cause?: unknown): UnavailableError {
  return new UnavailableError(`Docker engine at ${endpoint} closed the event stream`, {
    hint: 'Check that dockerd runs; subscribe again once it answers',
    cause,
  });
}

/**
 * Ends quietly when the signal aborts; any other end (the engine stopped or restarted) throws
 * UnavailableError, so a watcher knows to subscribe again.
 */
export async function* streamEvents(docker: Docker, signal: AbortSignal, endpoint: string): AsyncGenerator<RuntimeEvent> {
  for await (const raw of streamDockerEvents(docker, signal, endpoint)) {
    const event = runtimeEventFrom(raw);
    if (event) yield event;
  }
}

export interface DockerEventOptions {
  /** Unix seconds (fractions allowed): the engine first replays the events it still holds since then. */
  since?: number;
  /** Called once the engine has answered the subscription, before any event is yielded. */
  onSubscribed?: (stream: Readable) => void;
}

/** The engine's own events for owned containers (with the container id), ending as streamEvents does. */
export async function* streamDockerEvents(
  docker: Docker,
  signal: AbortSignal,
  endpoint: string,
  options: DockerEventOptions = {},
): AsyncGenerator<DockerEvent> {
  if (signal.aborted) return;
  const query: { filters: Record<string, string[]>; since?: string } = { filters: eventFilters() };
  if (options.since !== undefined) query.since = options.since.toFixed(3);
  const stream = (await docker.getEvents(query as { filters: Record<string, string[]> })) as unknown as Readable;
  const onAbort = () => stream.destroy();
  if (signal.aborted) return onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  options.onSubscribed?.(stream);
  let buffer = '';
  try {
    for await (const chunk of stream) {
      buffer += (chunk as Buffer).toString('utf8');
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        let parsed: DockerEvent;
        try {
          parsed = JSON.parse(line) as DockerEvent;
        } catch {
          continue;
        }
        yield parsed;
      }
    }
    if (!signal.aborted) throw streamClosed(endpoint);
  } catch (e) {
    // Destroying the stream on abort surfaces as an error or a premature close: that is the normal end.
    if (signal.aborted) return;
    throw e instanceof UnavailableError ? e : streamClosed(endpoint, e);
  } finally {
    signal.removeEventListener('abort', onAbort);
    stream.destroy();
  }
}
