/** `iotedge config import [-c config.yaml] [-o config.toml] [-f]`: 1.1 config.yaml to the super-config. */
import { promises as fs } from 'node:fs';
import type { Argv } from 'yargs';
import { importConfig } from '../../config/import/run';
import { writeFileAtomic } from '../../util/atomic-write';
import type { CliContext } from '../command';
import { where } from '../system/where';

interface Args {
  configFile: string;
  outConfigFile?: string;
  force: boolean;
}

export function builder(y: Argv): Argv {
  return y
    .option('config-file', { alias: 'c', type: 'string', requiresArg: true, default: '/etc/iotedge/config.yaml', describe: 'The 1.1 config.yaml (only read)' })
    .option('out-config-file', { alias: 'o', type: 'string', requiresArg: true, describe: 'Where to write the super-config [default: $IOTEDGE_EDGED_CONFIG, else the snap\'s config.toml, else /etc/aziot/config.toml]' })
    .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Replace an existing output file' })
    .example('$0 config import', 'Import /etc/iotedge/config.yaml')
    .example('$0 config import -c old.yaml -o new.toml -f', 'Import another file, replacing the output');
}

export async function run(args: Args, ctx: CliContext): Promise<void> {
  const lines = await importConfig(
    { from: args.configFile, to: args.outConfigFile ?? where(ctx.env).configFile, force: args.force },
    { readFile: (f) => fs.readFile(f, 'utf8'), exists: (f) => fs.access(f).then(() => true, () => false), writeFileAtomic },
  );
  ctx.stdout.write(`${lines.join('\n')}\n`);
}
