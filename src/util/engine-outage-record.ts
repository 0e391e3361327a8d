/**
 * The record, in edged's home, of since when the engine is away. edged's agent writes it when the
 * engine's event stream breaks; the dockerd supervisor writes it, marked planned, before it stops
 * the modules on a requested stop. Modules that stop inside an outage were stopped by the system,
 * not crashed: edged starts them at once when the engine is back, with no backoff, and a planned
 * stop tells the running edged not to restart what is being stopped on purpose.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from './atomic-write';

export interface EngineOutageRecord {
  /** Since when (ms since the epoch). */
  from: number;
  /** Written by the engine's supervisor on a requested stop (snap stop, restart, refresh, shutdown). */
  planned: boolean;
}

export async function writeEngineOutage(file: string, record: EngineOutageRecord): Promise<void> {
  const doc = record.planned ? { from: record.from, planned: true } : { from: record.from };
  await writeFileAtomic(file, JSON.stringify(doc) + '\n', { mode: 0o600 });
}

/** A missing or unreadable record (cut short, hand-edited) is no outage, never an error. */
export async function readEngineOutage(file: string): Promise<EngineOutageRecord | undefined> {
  try {
    const doc = JSON.parse(await fs.readFile(file, 'utf8')) as { from?: unknown; planned?: unknown };
    const from = Number(doc.from);
    return Number.isFinite(from) ? { from, planned: doc.planned === true } : undefined;
  } catch {
    return undefined;
  }
}
