/** `iotedge restart <module>`: prints the module's name once it has restarted, as upstream. */
import type { Argv } from 'yargs';
import type { CliContext } from '../command';

interface Args {
  module: string;
}

export function builder(y: Argv): Argv {
  return y
    .positional('module', { describe: 'The module to restart', type: 'string' })
    .example('$0 restart SimulatedTemperatureSensor', 'Restart one module');
}

export async function run(args: Args, ctx: CliContext): Promise<void> {
  await ctx.runtime().restart(args.module);
  ctx.stdout.write(`${args.module}\n`);
}
