/**
 * Every `iotedge` command, in the order `iotedge --help` lists them. To add one: create
 * `src/cli/commands/<name>.ts` exporting `builder` and `run` (see ../command.ts and list.ts),
 * then append ONE entry here. `load` must stay a `require` so the module loads only when used.
 * A command with no arguments or options of its own may be `fast` (see ./fast.ts).
 */
import type { CommandEntry } from '../command';
import { listCommand, versionCommand } from './fast';

export const commands: CommandEntry[] = [
  listCommand,
  { command: 'logs <module>', describe: 'Fetch the logs of a module', load: () => require('./logs') },
  { command: 'restart <module>', describe: 'Restart a module', load: () => require('./restart') },
  versionCommand,
  { command: 'config <command>', describe: 'Manage the configuration (apply, import, mp)', load: () => require('./config') },
  { command: 'check', describe: 'Check for common configuration issues', load: () => require('./check') },
  { command: 'system <command>', describe: 'Manage the IoT Edge daemons (status, logs, restart, stop, set-log-level, reprovision)', load: () => require('./system') },
  { command: 'support-bundle', describe: 'Bundle logs, configuration (secrets redacted) and diagnostics into a zip', load: () => require('./support-bundle') },
];
