/** `iotedge config apply|import|mp`: each subcommand in its own file, loaded only when it runs. */
import type { Argv } from 'yargs';
import type { CliCommand, CliContext } from '../command';

// Static requires (not a template) so bundlers see them; each loads only when its subcommand runs.
const loaders = {
  apply: () => require('./config-apply'),
  import: () => require('./config-import'),
  mp: () => require('./config-mp'),
} as const;
const sub = (name: keyof typeof loaders): CliCommand<any> => loaders[name](); // eslint-disable-line @typescript-eslint/no-explicit-any

export function builder(y: Argv, ctx: CliContext): Argv {
  return y
    .command('apply', 'Validate the configuration and have edged use it', (s) => sub('apply').builder(s, ctx), (a) => sub('apply').run!(a, ctx))
    .command('import', 'Import a 1.1 config.yaml as config.toml', (s) => sub('import').builder(s, ctx), (a) => sub('import').run!(a, ctx))
    .command('mp', 'Write a config.toml for manual provisioning with a connection string', (s) => sub('mp').builder(s, ctx), (a) => sub('mp').run!(a, ctx))
    .demandCommand(1, 'a config subcommand is required (apply, import or mp)')
    .example('$0 config mp -c "HostName=...;DeviceId=...;SharedAccessKey=..."', 'Configure manual provisioning')
    .example('$0 config apply', 'Apply the configuration file');
}
