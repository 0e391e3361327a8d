/** `iotedge system status|logs|restart|stop|set-log-level|reprovision`: the appliance's daemons. */
import type { Argv } from 'yargs';
import type { LogLevel } from '../../util/log';
import type { CliContext } from '../command';
import type { Services } from '../system/services';

const LEVELS = ['error', 'warn', 'info', 'debug', 'trace'] as const;

/** Snap or development machine; loaded only when a subcommand runs. */
export function servicesFor(ctx: CliContext): Services {
  const { where } = require('../system/where') as typeof import('../system/where');
  const { snapServices, devServices } = require('../system/services') as typeof import('../system/services');
  const { execaRunner, execaStream } = require('../system/runner') as typeof import('../system/runner');
  const w = where(ctx.env);
  return w.inSnap ? snapServices(w, execaRunner, execaStream) : devServices(w, process.kill.bind(process));
}

export function builder(y: Argv, ctx: CliContext, services: (ctx: CliContext) => Services = servicesFor): Argv {
  const say = (line: string): void => {
    ctx.stdout.write(`${line}\n`);
  };
  return y
    .command('status', 'Show the status of the IoT Edge daemons', (s) => s.example('$0 system status', 'Are edged and the engine running?'), async () => {
      const states = await services(ctx).status();
      const width = Math.max(...states.map((s) => s.name.length), 20) + 4;
      say('System services:');
      for (const s of states) say(`    ${s.name.padEnd(width)}${s.status}`);
      say('');
      for (const line of await imageGcStatusLines(ctx)) say(line);
      say('');
      say("Use 'iotedge system logs' to check for non-fatal errors.");
      say("Use 'iotedge check' to diagnose connectivity and configuration issues.");
    })
    .command(
      'logs',
      'Show the logs of the IoT Edge daemons',
      (s) =>
        s
          .option('since', { type: 'string', requiresArg: true, describe: 'Only logs since this time (journalctl syntax: "1 hour ago", "2026-01-31 12:00")' })
          .option('tail', { type: 'number', requiresArg: true, describe: 'Only the last N lines' })
          .option('follow', { alias: 'f', type: 'boolean', describe: 'Keep following the logs' })
          .example('$0 system logs --since "10 min ago"', 'Recent daemon logs')
          .example('$0 system logs -- -p err', 'Pass options to journalctl after --'),
      async (a) => {
        const extra = ((a['--'] as unknown[] | undefined) ?? []).map(String);
        await services(ctx).logs({ since: a.since, tail: a.tail, follow: a.follow === true, extra, stdout: ctx.stdout, signal: ctx.signal });
      },
    )
    .command('restart', 'Restart edged', (s) => s.example('$0 system restart', 'Restart edged'), async () => say(await services(ctx).restart()))
    .command('stop', 'Stop edged', (s) => s.example('$0 system stop', 'Stop edged'), async () => say(await services(ctx).stop()))
    .command(
      'set-log-level <level>',
      'Set the log level of edged (and restart it)',
      (s) => s.positional('level', { choices: LEVELS, describe: 'The log level' }).example('$0 system set-log-level debug', 'More detail in the daemon logs'),
      async (a) => say(await services(ctx).setLogLevel(a.level as LogLevel)),
    )
    .command('reprovision', 'Reprovision the device with IoT Hub', (s) => s.example('$0 system reprovision', 'Provision again (e.g. after moving hubs)'), async () => {
      const { ManagementClient } = require('../../api/management/client/management-client') as typeof import('../../api/management/client/management-client');
      await new ManagementClient(ctx.host, ctx.signal).reprovision();
      say('Successfully reprovisioned with IoT Hub.');
    })
    .command(
      'prune-images',
      'Remove unused images edged pulled, now, with the usual garbage-collection rules',
      (s) => (require('./prune-images') as typeof import('./prune-images')).builder(s),
      async (a) => (require('./prune-images') as typeof import('./prune-images')).run(a as { dryRun?: boolean }, ctx),
    )
    .demandCommand(1, 'a system subcommand is required')
    .parserConfiguration({ 'populate--': true })
    .example('$0 system status', 'Show the daemons');
}

/** The collector's state as `system status` shows it; edged being down is said, not thrown. */
async function imageGcStatusLines(ctx: CliContext): Promise<string[]> {
  const { formatGcStatus } = require('../../gc/report-text') as typeof import('../../gc/report-text');
  const { ManagementClient } = require('../../api/management/client/management-client') as typeof import('../../api/management/client/management-client');
  try {
    return formatGcStatus(await new ManagementClient(ctx.host, ctx.signal).imageGcStatus());
  } catch (e) {
    return [`Image garbage collection: status unknown (${(e as Error).message})`];
  }
}
