/**
 * Memory of a process from /proc/<pid>/smaps_rollup, in MiB: PSS (each shared page split between
 * every process on the machine that maps it, as smem counts), RSS, and USS (its private pages).
 * On a shared build machine other node processes share the node binary's pages, which makes PSS
 * smaller than on a device; `applianceMiB` counts the appliance's processes alone: their private
 * pages plus the largest shared part once (the node binary and libraries they all map).
 */
import { readFileSync } from 'node:fs';

export interface Memory {
  pssMiB: number;
  rssMiB: number;
  ussMiB: number;
}

export function memoryOf(pid: number): Memory {
  return memoryFromRollup(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
}

/** The figures of one smaps_rollup text (read here, or inside a container). */
export function memoryFromRollup(text: string): Memory {
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
  return { pssMiB: kb('Pss') / 1024, rssMiB: kb('Rss') / 1024, ussMiB: (kb('Private_Clean') + kb('Private_Dirty')) / 1024 };
}

export const pssMiB = (pid: number): number => memoryOf(pid).pssMiB;

/** The processes' memory with shared pages counted once, as if they were alone on the machine. */
export function applianceMiB(ms: Memory[]): number {
  return ms.reduce((a, m) => a + m.ussMiB, 0) + Math.max(...ms.map((m) => m.rssMiB - m.ussMiB));
}
