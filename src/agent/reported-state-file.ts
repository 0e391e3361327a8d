/**
 * The reported state on disk: written atomically (0600), coalesced (a request during a write
 * causes exactly one more write), and read back at start so restart counts survive edged.
 */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write';
import type { Logger } from '../util/log';
import type { ModuleHealth } from './planner/current';
import type { ReportedState } from './reported-state';

export class ReportedStateFile {
  private writing?: Promise<void>;
  private again = false;

  constructor(
    readonly file: string,
    private readonly build: () => Promise<ReportedState>,
    private readonly log: Logger,
  ) {}

  request(): void {
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = (async () => {
      do {
        this.again = false;
        try {
          await writeFileAtomic(this.file, JSON.stringify(await this.build(), null, 2) + '\n', { mode: 0o600 });
        } catch (e) {
          this.log.warn(`Could not write ${this.file}: ${e instanceof Error ? e.message : String(e)}`);
        }
      } while (this.again);
      this.writing = undefined;
    })();
  }

  /** Resolves once the file reflects every request made so far. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** The history a previous run left, if any. */
  async restore(maxRestartCount: number): Promise<{ lastDesiredVersion?: number; health: Record<string, ModuleHealth> }> {
    const health: Record<string, ModuleHealth> = {};
    let doc: Partial<ReportedState>;
    try {
      doc = JSON.parse(await fs.readFile(this.file, 'utf8')) as Partial<ReportedState>;
    } catch {
      return { health };
    }
    const entries = { ...(doc.systemModules ?? {}), ...(doc.modules ?? {}) } as Record<string, Record<string, unknown>>;
    const time = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined);
    for (const [name, m] of Object.entries(entries)) {
      if (!m || typeof m.restartCount !== 'number') continue;
      health[name] = {
        restartCount: m.restartCount,
        lastStartTime: time(m.lastStartTimeUtc),
        lastExitTime: time(m.lastExitTimeUtc),
        lastRestartTime: time(m.lastRestartTimeUtc),
        gaveUp: m.runtimeStatus === 'failed' && m.restartCount >= maxRestartCount,
      };
    }
    return { lastDesiredVersion: typeof doc.lastDesiredVersion === 'number' ? doc.lastDesiredVersion : undefined, health };
  }
}
