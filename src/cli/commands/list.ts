/** `iotedge list`: the modules, their status and image, exactly as the upstream CLI prints them. */
import type { Argv } from 'yargs';
import type { CliContext } from '../command';
import { formatModuleList } from '../format/module-status';

export function builder(y: Argv): Argv {
  return y.example('$0 list', 'List the modules, their status and image');
}

export async function run(_args: unknown, ctx: CliContext): Promise<void> {
  const modules = await ctx.runtime().list();
  ctx.stdout.write(formatModuleList(modules, ctx.now()));
}
