/** `iotedge version`: `iotedge <version>`, as upstream prints its crate name and version. */
import type { Argv } from 'yargs';
import type { CliContext } from '../command';
import { packageVersion } from '../package-version';

export function builder(y: Argv): Argv {
  return y.example('$0 version', 'Print the version of this iotedge');
}

export async function run(_args: unknown, ctx: CliContext): Promise<void> {
  ctx.stdout.write(`iotedge ${packageVersion()}\n`);
}
