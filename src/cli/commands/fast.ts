/**
 * The commands that take no arguments or options of their own. They are listed here, apart from
 * index.ts, so the small start-up bundle (fast-main.ts) can answer them without loading the rest.
 */
import type { CommandEntry } from '../command';

export const listCommand: CommandEntry = { command: 'list', describe: 'List modules', load: () => require('./list'), fast: true };
export const versionCommand: CommandEntry = {
  command: 'version',
  describe: 'Show the version information',
  load: () => require('./version'),
  fast: true,
};

export const fastCommands: CommandEntry[] = [listCommand, versionCommand];
