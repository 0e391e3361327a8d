/**
 * `iotedge logs <module> [--tail N|all] [--since T] [--until T] [-f] [--timestamps]`.
 * T is a duration back from now (`90m`, `1 day`, `2 days 3 hours`), an RFC 3339 timestamp or unix
 * seconds. Docker's stream is demultiplexed: the module's stdout to stdout, its stderr to stderr.
 */
import type { Argv } from 'yargs';
import { isEdgeError, UnavailableError } from '../../errors';
import type { LogOptions } from '../../runtime/types';
import type { CliContext } from '../command';
import { pipeLogs } from '../logs/pipe';
import { parseTail, parseTimeOption } from '../time/parse-time';

interface Args {
  module: string;
  tail: string;
  since: string;
  until?: string;
  follow: boolean;
  timestamps: boolean;
}

const TIME = 'a duration (1 day, 90 minutes, 2 days 3 hours 2 minutes), an RFC 3339 timestamp, or unix seconds';

export function builder(y: Argv): Argv {
  return y
    .positional('module', { describe: 'The module to get logs for', type: 'string' })
    .option('tail', { describe: 'Number of lines to show from the end of the log', type: 'string', default: 'all', requiresArg: true })
    .option('since', { describe: `Only return logs since this time, as ${TIME}`, type: 'string', default: '1 day', requiresArg: true })
    .option('until', {
      describe: `Only return logs up to this time, as ${TIME}. 0d does not truncate; 2h stops 2 hours ago`,
      type: 'string',
      requiresArg: true,
    })
    .option('follow', { alias: 'f', describe: 'Follow output log', type: 'boolean', default: false })
    .option('timestamps', { describe: 'Prefix each line with its RFC 3339 timestamp', type: 'boolean', default: false })
    .example('$0 logs edgeAgent --tail 50', 'The last 50 lines of edgeAgent')
    .example("$0 logs tempSensor --since '2 hours' -f", 'The last two hours, then follow');
}

export function logOptions(args: Args, now: number): LogOptions {
  const options: LogOptions = {
    follow: args.follow,
    tail: parseTail(args.tail),
    since: parseTimeOption('since', args.since, now),
    timestamps: args.timestamps,
  };
  if (args.until !== undefined) options.until = parseTimeOption('until', args.until, now);
  return options;
}

export async function run(args: Args, ctx: CliContext): Promise<void> {
  const options = logOptions(args, ctx.now());
  const stream = await ctx.runtime().logs(args.module, options, ctx.signal);
  try {
    await pipeLogs(stream, ctx.stdout, ctx.stderr, ctx.signal);
  } catch (e) {
    if (isEdgeError(e)) throw e;
    throw new UnavailableError(`the connection to the IoT Edge daemon broke while reading the logs of '${args.module}'`, {
      hint: 'Check that edged is still running, then try again',
      cause: e,
    });
  }
}
