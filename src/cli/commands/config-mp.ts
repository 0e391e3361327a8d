/** `iotedge config mp -c CONNSTR [-o FILE] [-f]`: a super-config for manual provisioning. */
import { promises as fs } from 'node:fs';
import type { Argv } from 'yargs';
import { manualProvisioningConfig } from '../../config/mp';
import { ConfigError } from '../../errors';
import { writeFileAtomic } from '../../util/atomic-write';
import type { CliContext } from '../command';
import { where } from '../system/where';

interface Args {
  connectionString: string;
  outConfigFile?: string;
  force: boolean;
}

export function builder(y: Argv): Argv {
  return y
    .option('connection-string', { alias: 'c', type: 'string', requiresArg: true, demandOption: true, describe: 'The device connection string' })
    .option('out-config-file', { alias: 'o', type: 'string', requiresArg: true, describe: 'Where to write [default: $IOTEDGE_EDGED_CONFIG, else the snap\'s config.toml, else /etc/aziot/config.toml]' })
    .option('force', { alias: 'f', type: 'boolean', default: false, describe: 'Replace an existing file' })
    .example('$0 config mp -c "HostName=hub.azure-devices.net;DeviceId=dev1;SharedAccessKey=..."', 'Write config.toml for this device');
}

export async function run(args: Args, ctx: CliContext): Promise<void> {
  const w = where(ctx.env);
  const out = args.outConfigFile ?? w.configFile;
  const text = manualProvisioningConfig(args.connectionString, w.snap?.owned);
  if (!args.force && (await fs.access(out).then(() => true, () => false))) {
    throw new ConfigError(`${out} already exists: Azure IoT Edge has already been configured`, {
      hint: 'to apply it run `iotedge config apply`; to replace it add --force',
    });
  }
  await writeFileAtomic(out, text, { mode: 0o600 });
  ctx.stdout.write(
    [
      'Azure IoT Edge has been configured successfully!',
      `The configuration has been written to ${out}`,
      'To apply it, run:',
      '',
      `    iotedge config apply -c '${out}'`,
      '',
      'WARNING: This configuration is not suitable when using IoT Edge as a gateway.',
      '',
    ].join('\n'),
  );
}
