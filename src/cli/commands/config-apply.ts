/** `iotedge config apply [-c FILE]`: validate, write what edged reads, restart edged. */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Argv } from 'yargs';
import { applyConfig, type ApplyDeps } from '../../config/apply';
import { readConfigSources, readDropIns } from '../../config/load';
import { writeFileAtomic } from '../../util/atomic-write';
import { EdgeError } from '../../errors';
import type { CliContext } from '../command';
import { findDevEdged } from '../system/dev-edged';
import { type DevRestartIo, realDevRestartIo, restartDevEdged } from '../system/dev-restart';
import { execaRunner, type Runner } from '../system/runner';
import { edgedService, where } from '../system/where';

interface Args {
  configFile?: string;
  configOut?: string;
}

export function builder(y: Argv): Argv {
  return y
    .option('config-file', { alias: 'c', type: 'string', requiresArg: true, describe: 'The super-config to apply [default: $IOTEDGE_EDGED_CONFIG, else the snap\'s config.toml, else /etc/aziot/config.toml]' })
    .option('config-out', { type: 'string', requiresArg: true, describe: 'Development machine: the file edged reads [env: IOTEDGE_EDGED_CONFIG; default: the -c file]' })
    .example('$0 config apply', 'Validate and apply the configuration')
    .example('$0 config apply -c ~/config.toml', 'Apply another file (written to the file edged reads)');
}

export async function run(args: Args, ctx: CliContext): Promise<void> {
  const lines = await applyCommand(args, ctx, { runner: execaRunner });
  ctx.stdout.write(`${lines.join('\n')}\n`);
}

export async function applyCommand(args: Args, ctx: CliContext, io: { runner: Runner; devRestart?: DevRestartIo }): Promise<string[]> {
  const w = where(ctx.env);
  const source = path.resolve(args.configFile ?? w.configFile);
  const target = path.resolve(w.inSnap ? w.edgedConfig : args.configOut ?? (ctx.env.IOTEDGE_EDGED_CONFIG || source));
  const deps: ApplyDeps = {
    readSources: async (file, dropInsOf) => [...(await readConfigSources(file, null)), ...(await readDropIns(path.join(path.dirname(dropInsOf), 'config.d')))],
    readIfExists: (file) => fs.readFile(file, 'utf8').catch(() => undefined),
    writeFileAtomic,
    machineHostname: () => os.hostname(),
    listModules: async () => (await ctx.runtime().list()).map((m) => m.name),
    restart: async () => {
      if (w.inSnap) {
        const service = edgedService(w);
        const r = await io.runner('snapctl', ['restart', service], { timeoutMs: 120_000 });
        if (r.code !== 0) throw new EdgeError(`snapctl restart ${service} failed: ${r.stderr.trim() || `exit ${r.code}`}`, { hint: `run \`sudo snap restart ${service}\`` });
        return `Restarted ${service}.`;
      }
      const edged = await findDevEdged({ home: w.edgedHome, config: target });
      if (!edged) return 'edged is not running here: start it to use the new configuration.';
      return restartDevEdged(edged, { home: w.edgedHome }, io.devRestart ?? realDevRestartIo);
    },
  };
  return applyConfig({ source, target, snapOwned: w.snap?.owned }, deps);
}
