/**
 * The engine's own event stream (GET /events): when a container really started or died, as the
 * engine saw it, with nanosecond times. Benches wait on these instead of polling, so a figure is
 * the engine's time and not a poll interval.
 */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';

export interface EngineEvent {
  action: string;
  name: string;
  id: string;
  /** Engine time, ms (from timeNano). */
  atMs: number;
  /** This process's hrtime when the event arrived, ms. */
  seenMs: number;
}

export class EngineEvents {
  private readonly waiters = new Set<() => void>();
  readonly events: EngineEvent[] = [];

  private constructor(private readonly stream: Readable) {
    let buf = '';
    stream.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as { Action: string; id: string; timeNano: number; Actor?: { Attributes?: Record<string, string> } };
        this.events.push({ action: e.Action, id: e.id, name: e.Actor?.Attributes?.name ?? '', atMs: e.timeNano / 1e6, seenMs: Number(process.hrtime.bigint()) / 1e6 });
        for (const w of this.waiters) w();
      }
    });
  }

  static async open(docker: Docker): Promise<EngineEvents> {
    const stream = (await docker.getEvents({ filters: { type: ['container'], event: ['start', 'die', 'destroy', 'create'] } })) as unknown as Readable;
    return new EngineEvents(stream);
  }

  /** Index to pass to `until` for events from now on. */
  mark(): number {
    return this.events.length;
  }

  /** Resolves with the matching events once `done` says they are all there (after `from`). */
  until(from: number, done: (events: EngineEvent[]) => boolean, what: string, ms = 300_000): Promise<EngineEvent[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const got = this.events.slice(from);
        if (done(got)) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(got);
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, ms);
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves with the start events once every name in `names` has started (after `from`). */
  started(from: number, names: string[], ms?: number): Promise<EngineEvent[]> {
    const want = new Set(names);
    return this.until(from, (es) => new Set(es.filter((e) => e.action === 'start' && want.has(e.name)).map((e) => e.name)).size === want.size, `${names.length} starts`, ms).then((es) =>
      es.filter((e) => e.action === 'start' && want.has(e.name)),
    );
  }

  close(): void {
    this.stream.destroy();
  }
}
