/** `iotedge support-bundle [-o FILE] [--since T]`: configuration (redacted), logs, list, check, engine. */
import * as path from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type { Argv } from 'yargs';
import { readConfigSources } from '../../config/load';
import { redactConfigText } from '../../config/redact';
import type { CliContext } from '../command';
import { formatModuleList } from '../format/module-status';
import { LogDemuxer } from '../logs/demux';
import { parseTimeOption } from '../time/parse-time';
import { collectBundle, type BundleSources } from '../support-bundle/collect';
import { writeBundle, zipEntries } from '../support-bundle/zip';

interface Args {
  output: string;
  since: string;
  quiet: boolean;
  configFile?: string;
}

export function builder(y: Argv): Argv {
  return y
    .option('output', { alias: 'o', type: 'string', default: 'support_bundle.zip', requiresArg: true, describe: 'The zip to write (- for stdout)' })
    .option('since', { type: 'string', default: '1 day', requiresArg: true, describe: 'Only logs since this time: a duration (1 day, 90m), an RFC 3339 timestamp or unix seconds' })
    .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'No progress lines' })
    .option('config-file', { alias: 'c', type: 'string', requiresArg: true, describe: "The super-config [default: $IOTEDGE_EDGED_CONFIG, else the snap's config.toml, else /etc/aziot/config.toml]" })
    .example('$0 support-bundle --since "2 hours"', 'Write support_bundle.zip with the last two hours of logs');
}

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export function realSources(args: Args, ctx: CliContext): BundleSources {
  const { where } = require('../system/where') as typeof import('../system/where');
  const w = where(ctx.env);
  const configFile = args.configFile ?? w.configFile;
  return {
    async configFiles() {
      const sources = await readConfigSources(configFile);
      return sources.map((s) => ({ name: path.relative(path.dirname(configFile), s.file), text: redactConfigText(s.text, path.basename(s.file)) }));
    },
    async daemonLogs(since) {
      const { servicesFor } = require('./system') as typeof import('./system');
      const out = new PassThrough();
      const text = readAll(out);
      await servicesFor(ctx).logs({ since: `@${since}`, extra: [], stdout: out, signal: ctx.signal }).finally(() => out.end());
      return (await text).toString();
    },
    async modules() {
      const list = await ctx.runtime().list();
      return { listing: formatModuleList(list, ctx.now()), names: list.map((m) => m.name) };
    },
    async moduleLogs(name, since) {
      const raw = await readAll(await ctx.runtime().logs(name, { follow: false, tail: 'all', since, timestamps: true }, ctx.signal));
      const demux = new LogDemuxer();
      return Buffer.concat([...demux.push(raw), ...demux.end()].map((f) => f.payload));
    },
    async checkOutput() {
      const { checkCommand, realFactDeps } = require('./check') as typeof import('./check');
      const out = new PassThrough();
      const text = readAll(out);
      const checkArgs = { output: 'json' as const, warningsAsErrors: false, ntpServer: 'pool.ntp.org', configFile };
      await checkCommand(checkArgs, { ...ctx, stdout: out }, realFactDeps(checkArgs, ctx)).catch(() => undefined);
      out.end();
      return (await text).toString();
    },
    async engineInfo() {
      const { loadSuperConfigFile } = require('../../config/load') as typeof import('../../config/load');
      const uri = (await loadSuperConfigFile(configFile, { home: w.edgedHome, allowUnsupported: true })).moby_runtime.uri;
      const engine = ctx.engineFor(uri, { timeoutMs: 5000 });
      const [info, version] = await Promise.all([engine.info(), engine.version()]);
      return { info, version };
    },
  };
}

export async function run(args: Args, ctx: CliContext): Promise<void> {
  await supportBundle(args, ctx, realSources(args, ctx));
}

export async function supportBundle(args: Args, ctx: CliContext, sources: BundleSources): Promise<void> {
  const since = parseTimeOption('since', args.since, ctx.now());
  const progress = (line: string) => {
    if (!args.quiet) ctx.stderr.write(`${line}\n`);
  };
  const entries = await collectBundle(sources, since, progress);
  const where = await writeBundle(args.output, await zipEntries(entries, new Date(ctx.now())), ctx.stdout);
  if (args.output !== '-') ctx.stdout.write(`Created support bundle at ${where}\n`);
}
