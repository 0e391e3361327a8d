/**
 * Memory of a process as smem counts it: PSS (each shared page split between its users) and RSS,
 * from /proc/<pid>/smaps_rollup, in MiB.
 */
import { readFileSync } from 'node:fs';

export interface Memory {
  pssMiB: number;
  rssMiB: number;
}

export function memoryOf(pid: number): Memory {
  const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { pssMiB: kb('Pss') / 1024, rssMiB: kb('Rss') / 1024 };
}

export const pssMiB = (pid: number): number => memoryOf(pid).pssMiB;
