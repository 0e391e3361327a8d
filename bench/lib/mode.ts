/**
 * Full or quick runs. BENCH_QUICK=1 (`make bench-quick`) takes the smallest sizes and few
 * rounds, for checking a change while developing; the figures in docs come from a full run.
 */
import * as os from 'node:os';

export const QUICK = process.env.BENCH_QUICK === '1';

export function sizes(full: number[], quick: number[]): number[] {
  const only = process.env.BENCH_SIZES?.split(',').map(Number).filter((n) => n > 0);
  if (only?.length) return only;
  return QUICK ? quick : full;
}

export function rounds(full: number, quick: number): number {
  const n = Number(process.env.BENCH_ROUNDS);
  if (Number.isInteger(n) && n > 0) return n;
  return QUICK ? quick : full;
}

export const modeLine = (): string =>
  `${QUICK ? 'quick mode (BENCH_QUICK=1): small sizes, few rounds' : 'full mode'}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;
