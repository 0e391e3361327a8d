/**
 * bin/iotedge's entry when the CLI is bundled: `iotedge list` and `iotedge version` are answered
 * from this small bundle; any other command line loads the whole CLI (main.ts's bundle), so the
 * commonest command does not pay for parsing every other command's code.
 */
import { fastCommands } from './commands/fast';
import { cliDeps, createContext, runWithSignals } from './context';
import { fastCommand, runFast } from './fast-path';

export interface FullCli {
  run(argv: string[]): Promise<void>;
}

export async function run(argv: string[], loadFull: () => FullCli): Promise<void> {
  const fast = fastCommand(argv, fastCommands);
  if (!fast) return loadFull().run(argv);
  await runWithSignals((signal) => {
    const deps = cliDeps({ signal });
    return runFast(fast, createContext(argv, deps));
  });
}
