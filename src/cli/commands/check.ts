/** `iotedge check`: upstream's checks for what makes sense here; text or JSON, as upstream prints them. */
import * as os from 'node:os';
import type { Argv } from 'yargs';
import { EdgeError } from '../../errors';
import type { CliContext } from '../command';
import { makeFacts, type FactDeps } from '../check/facts';
import { engineProbe, sntpTime, statfsSpace, tlsHandshake, withTimeout } from '../check/probes';
import { renderJson, renderText, tally } from '../check/report';
import { runChecks } from '../check/run';
import { sections } from '../check/sections';
import { findDevEdged, processStartTime } from '../system/dev-edged';
import { where } from '../system/where';

interface Args {
  output: 'text' | 'json';
  verbose?: boolean;
  warningsAsErrors: boolean;
  configFile?: string;
  ntpServer: string;
  containerEngineConfigFile?: string;
}

export function builder(y: Argv): Argv {
  return y
    .option('output', { alias: 'o', choices: ['text', 'json'] as const, default: 'text' as const, describe: 'Output format' })
    .option('warnings-as-errors', { type: 'boolean', default: false, describe: 'Treat warnings as errors (non-zero exit)' })
    .option('config-file', { alias: 'c', type: 'string', requiresArg: true, describe: "The super-config [default: $IOTEDGE_EDGED_CONFIG, else the snap's config.toml, else /etc/aziot/config.toml]" })
    .option('ntp-server', { type: 'string', default: 'pool.ntp.org', describe: 'Reference time server (SNTP, port 123)' })
    .option('container-engine-config-file', { type: 'string', requiresArg: true, describe: "The engine's daemon.json [default: the snap's, else /etc/docker/daemon.json]" })
    .example('$0 check', 'Check the configuration, the engine and connectivity')
    .example('$0 check -o json --warnings-as-errors', 'For scripts: JSON, and fail on warnings');
}

export function realFactDeps(args: Args, ctx: CliContext): FactDeps {
  const w = where(ctx.env);
  const configFile = args.configFile ?? w.configFile;
  const edgedConfig = w.inSnap ? w.edgedConfig : ctx.env.IOTEDGE_EDGED_CONFIG || configFile;
  return {
    configFile,
    edgedConfig,
    edgedHome: w.edgedHome,
    daemonJsonPath: args.containerEngineConfigFile ?? w.daemonJson ?? '/etc/docker/daemon.json',
    inSnap: w.inSnap,
    bundledEngineUri: w.snap?.owned.dockerUri,
    engineFor: (uri) => engineProbe(ctx.engineFor(uri, { timeoutMs: 3000 })),
    tlsConnect: tlsHandshake(2000),
    referenceTime: sntpTime(args.ntpServer, 2000),
    diskSpace: statfsSpace,
    machineHostname: () => os.hostname(),
    now: () => new Date(ctx.now()),
    listModules: async () => (await withTimeout(ctx.runtime().list(), 3000, 'the IoT Edge daemon')).map((m) => m.name),
    edgedStarted: async () => {
      const p = await findDevEdged({ home: w.edgedHome, config: edgedConfig });
      return p && processStartTime(p.pid);
    },
  };
}

export async function run(args: Args, ctx: CliContext): Promise<void> {
  await checkCommand(args, ctx, realFactDeps(args, ctx));
}

export async function checkCommand(args: Args, ctx: CliContext, deps: FactDeps): Promise<void> {
  const verbose = args.verbose === true || ctx.verbose;
  const outcomes = await runChecks(sections, makeFacts(deps));
  ctx.stdout.write(
    args.output === 'json'
      ? renderJson(outcomes, { now: new Date(ctx.now()).toISOString(), os: { platform: process.platform, arch: process.arch, release: os.release() }, snap: deps.inSnap })
      : renderText(outcomes, verbose),
  );
  const t = tally(outcomes);
  if (t.errors > 0 || (args.warningsAsErrors && t.warnings > 0)) {
    const what = t.errors > 0 ? `${t.errors} check(s) raised errors` : `${t.warnings} check(s) raised warnings (--warnings-as-errors)`;
    throw new EdgeError(what, { reported: true });
  }
}
