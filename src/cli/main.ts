/**
 * The `iotedge` CLI: global options and the commands of `commands/index.ts`, each loaded only
 * when it runs. Failures of every kind end in context.ts's `failed`: one line and an exit code.
 */
import type { Argv } from 'yargs';
import { BadRequestError } from '../errors';
import type { EngineConnect } from '../runtime/engine';
import type { CliContext } from './command';
import { commands } from './commands/index';
import { cliDeps, createContext, failed, runWithSignals, type CliDeps } from './context';
import { fastCommand, runFast } from './fast-path';
import { defaultHost } from './host';

export type { CliDeps } from './context';

/** yargs' complaint as one line naming the problem, with a hint saying where to look. */
export function usageError(message: string, argv: string[]): BadRequestError {
  const command = argv.find((a) => !a.startsWith('-'));
  const known = commands.map((c) => c.command.split(' ')[0]);
  const unknown = /^Unknown arguments?: (\S+?),?(\s|$)/.exec(message);
  if (unknown && command === unknown[1] && !known.includes(command)) {
    const { closest, distance } = require('fastest-levenshtein') as typeof import('fastest-levenshtein');
    const near = closest(command, known);
    const suggestion = distance(command, near) <= 2 ? `Did you mean 'iotedge ${near}'? ` : '';
    return new BadRequestError(`unknown command '${command}'`, { hint: `${suggestion}Run 'iotedge --help' to see the commands` });
  }
  const help = command && known.includes(command) ? `iotedge ${command} --help` : 'iotedge --help';
  const line = /^Not enough non-option arguments/.test(message)
    ? 'a required argument is missing'
    : message.split('\n')[0].replace(/[.?]$/, '');
  return new BadRequestError(line, { hint: `Run '${help}' to see the usage` });
}

/**
 * The CLI's composition root for the engine: the one place of the CLI that knows it is Docker
 * (loaded when a diagnostic first asks), as edged's daemon.ts is for edged.
 */
const dockerEngine: EngineConnect = (uri, options) =>
  (require('../runtime/docker/diagnostics') as typeof import('../runtime/docker/diagnostics')).dockerDiagnostics(uri, options);

/** Runs the CLI and answers the exit code; never exits the process and never throws. */
export async function execute(argv: string[], partial: Partial<CliDeps> = {}): Promise<number> {
  const deps = cliDeps({ engineFor: dockerEngine, ...partial });
  const ctx = createContext(argv, deps);
  const fast = fastCommand(argv, commands);
  if (fast) return runFast(fast, ctx);
  try {
    return await parseAndRun(argv, ctx, deps);
  } catch (e) {
    return failed(e, ctx);
  }
}

function parser(argv: string[], ctx: CliContext, deps: CliDeps): Argv {
  // Loaded here: the fast path (`iotedge list`) never pays for yargs.
  const Yargs = require('yargs/yargs') as typeof import('yargs/yargs');
  const y = Yargs(argv)
    .scriptName('iotedge')
    .usage('$0 <command> [options]\n\nManage the modules of Azure IoT Edge')
    .option('host', {
      alias: 'H',
      type: 'string',
      global: true,
      requiresArg: true,
      describe: `Daemon socket to connect to [env: IOTEDGE_HOST] [default: ${defaultHost({ ...deps.env, IOTEDGE_HOST: undefined })}]`,
    })
    .option('verbose', { type: 'boolean', global: true, describe: 'Show the causes of an error, with stack traces' })
    .middleware((args) => {
      if (typeof args.host === 'string') ctx.host = args.host;
      ctx.verbose = args.verbose === true;
    })
    .strict()
    .demandCommand(1, 'a command is required')
    .help()
    .alias('help', 'h')
    .version(false)
    .showHelpOnFail(false)
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs reports its own validation failures as YError: those are usage errors too.
      if (err && err.name !== 'YError') throw err;
      throw usageError(msg ?? err?.message ?? 'invalid usage', argv);
    })
    .example('$0 list', 'List the modules and their status')
    .example('$0 logs edgeHub --tail 20 -f', 'Follow the log of edgeHub');

  for (const entry of commands) {
    y.command(
      entry.command,
      entry.describe,
      (sub) => entry.load().builder(sub, ctx),
      async (args) => {
        const command = entry.load();
        if (command.run) await command.run(args, ctx);
      },
    );
  }
  y.wrap(Math.min(100, y.terminalWidth()));
  return y;
}

/** Everything but the fast path: yargs parses, validates, shows help, and runs the command. */
async function parseAndRun(argv: string[], ctx: CliContext, deps: CliDeps): Promise<number> {
  const y = parser(argv, ctx, deps);
  if (argv.length === 0) {
    deps.stderr.write(`${await y.getHelp()}\n`);
    return 2;
  }
  await y.parseAsync();
  return 0;
}

/** The entry point bin/iotedge calls: Ctrl-C and SIGTERM end long commands cleanly. */
export async function run(argv: string[]): Promise<void> {
  await runWithSignals((signal) => execute(argv, { signal }));
}
