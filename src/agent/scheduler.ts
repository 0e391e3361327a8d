/** One wake-up timer per module on the injected clock: a later plan replaces an earlier timer. */
import type { Clock } from '../util/clock';

export class WakeScheduler {
  private readonly timers = new Map<string, { at: number; controller: AbortController }>();

  constructor(
    private readonly clock: Clock,
    private readonly wake: (name: string, at: number) => void,
  ) {}

  schedule(name: string, at: number): void {
    const existing = this.timers.get(name);
    if (existing?.at === at) return;
    existing?.controller.abort();
    const controller = new AbortController();
    this.timers.set(name, { at, controller });
    const delay = at - this.clock.now();
    const due = delay > 0 ? this.clock.sleep(delay, controller.signal) : Promise.resolve();
    due.then(
      () => {
        if (controller.signal.aborted || this.timers.get(name)?.controller !== controller) return;
        this.timers.delete(name);
        this.wake(name, at);
      },
      () => undefined,
    );
  }

  cancel(name: string): void {
    this.timers.get(name)?.controller.abort();
    this.timers.delete(name);
  }

  scheduledAt(name: string): number | undefined {
    return this.timers.get(name)?.at;
  }

  cancelAll(): void {
    for (const name of [...this.timers.keys()]) this.cancel(name);
  }
}
