/**
 * The `iotedge` CLI: global options, the commands of `commands/index.ts` (each loaded only when it
 * runs), and the ONE place where errors become a line on stderr and an exit code.
 */
import type { Writable } from 'node:stream';
import type { Argv } from 'yargs';
import { BadRequestError, exitCodeOf, formatError } from '../errors';
import type { CliContext, CliRuntime } from './command';
import { commands } from './commands/index';
import { fastCommand } from './fast-path';
import { defaultHost } from './host';

export interface CliDeps {
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  now(): number;
  signal: AbortSignal;
  /** How to reach the daemon; the management client unless a test says otherwise. */
  runtimeFor(host: string, signal: AbortSignal): CliRuntime;
}

/** Exit code of a run interrupted by Ctrl-C that did not end by itself (128 + SIGINT). */
const INTERRUPTED = 130;

function managementClient(host: string, signal: AbortSignal): CliRuntime {
  // Loaded here, not at the top, so `iotedge version` and `--help` never load the HTTP client.
  const { ManagementClient } = require('./management-client') as typeof import('./management-client');
  return new ManagementClient(host, signal);
}

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

/** Runs the CLI and answers the exit code; never exits the process and never throws. */
export async function execute(argv: string[], partial: Partial<CliDeps> = {}): Promise<number> {
  const deps: CliDeps = {
    env: process.env,
    stdout: process.stdout,
    stderr: process.stderr,
    now: Date.now,
    signal: new AbortController().signal,
    runtimeFor: managementClient,
    ...partial,
  };
  let runtime: CliRuntime | undefined;
  const ctx: CliContext = {
    env: deps.env,
    stdout: deps.stdout,
    stderr: deps.stderr,
    now: deps.now,
    signal: deps.signal,
    host: defaultHost(deps.env),
    verbose: argv.includes('--verbose'),
    runtime: () => (runtime ??= deps.runtimeFor(ctx.host, deps.signal)),
  };

  try {
    const fast = fastCommand(argv, commands);
    if (!fast) return await parseAndRun(argv, ctx, deps);
    if (fast.host !== undefined) ctx.host = fast.host;
    await fast.entry.load().run?.({}, ctx);
    return 0;
  } catch (e) {
    if (deps.signal.aborted) return INTERRUPTED;
    deps.stderr.write(`${formatError(e, ctx.verbose)}\n`);
    return exitCodeOf(e);
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
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    process.exitCode = await execute(argv, { signal: controller.signal });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
