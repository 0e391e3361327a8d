/**
 * The command line of a `fast` command (see CommandEntry.fast) read without yargs: the command's
 * name plus the global options only. Anything else answers undefined and goes through yargs,
 * so help, usage errors and every other command behave exactly the same.
 */
import type { CliContext, CommandEntry } from './command';
import { failed } from './context';

export interface FastCommand {
  entry: CommandEntry;
  host?: string;
  verbose: boolean;
}

export function fastCommand(argv: readonly string[], entries: readonly CommandEntry[]): FastCommand | undefined {
  let name: string | undefined;
  let host: string | undefined;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-H' || a === '--host') {
      const value = argv[++i];
      if (value === undefined || value.startsWith('-')) return undefined;
      host = value;
    } else if (a.startsWith('--host=')) {
      host = a.slice('--host='.length);
    } else if (a === '--verbose') {
      verbose = true;
    } else if ((a === '--version' || a === '-V') && name === undefined) {
      // Upstream's clap flag prints what `iotedge version` prints.
      name = 'version';
    } else if (name === undefined && !a.startsWith('-')) {
      name = a;
    } else {
      return undefined;
    }
  }
  const entry = entries.find((e) => e.fast && e.command === name);
  return entry ? { entry, host, verbose } : undefined;
}

/** Runs a fast command; answers the exit code. */
export async function runFast(fast: FastCommand, ctx: CliContext): Promise<number> {
  if (fast.host !== undefined) ctx.host = fast.host;
  ctx.verbose = fast.verbose;
  try {
    await fast.entry.load().run?.({}, ctx);
    return 0;
  } catch (e) {
    return failed(e, ctx);
  }
}
