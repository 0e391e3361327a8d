/**
 * Bounded exponential backoff: 1 s, 2 s, 4 s ... capped; a run that lasted long enough counts
 * as healthy and resets the sequence, so a crash once a day restarts at once.
 */
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
  /** A run at least this long resets the backoff. */
  resetAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 60_000, factor: 2, resetAfterMs: 120_000 };

export class Backoff {
  private attempt = 0;
  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** The delay before the next start, given how long the last run lasted. */
  next(lastRunMs: number): number {
    if (lastRunMs >= this.options.resetAfterMs) this.attempt = 0;
    const delay = Math.min(this.options.maxMs, this.options.initialMs * this.options.factor ** this.attempt);
    this.attempt++;
    return delay;
  }

  get failures(): number {
    return this.attempt;
  }
}
