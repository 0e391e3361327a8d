/** Carries out planned steps; the table must cover every step kind (the compiler checks). */
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write';
import type { Logger } from '../util/log';
import type { Step } from './plan';
import type { Snapctl } from './snapctl';

type Executors = { [K in Step['kind']]: (step: Extract<Step, { kind: K }>) => Promise<void> };

export interface ExecuteDeps {
  snapctl: Snapctl;
  snapName: string;
  logger: Logger;
  writeFile?: (file: string, content: string, mode: number) => Promise<void>;
}

export async function executeSteps(steps: Step[], deps: ExecuteDeps): Promise<void> {
  const write = deps.writeFile ?? ((f, c, mode) => writeFileAtomic(f, c, { mode }));
  const table: Executors = {
    write: async (s) => {
      await write(s.file, s.content, s.mode);
      deps.logger.info(`wrote ${s.what}`, { file: s.file });
    },
    remove: async (s) => {
      await fs.rm(s.file, { force: true });
      deps.logger.info(`removed ${s.what}`, { file: s.file });
    },
    unset: (s) => deps.snapctl.unset(...s.keys),
    service: async (s) => {
      deps.logger.info(`${s.action} ${s.service}: ${s.why}`);
      await deps.snapctl.services(s.action, [`${deps.snapName}.${s.service}`], { persist: s.persist });
    },
    health: (s) => deps.snapctl.setHealth(s.status, s.message, s.code),
  };
  for (const step of steps) {
    await (table[step.kind] as (s: Step) => Promise<void>)(step);
  }
}
