/**
 * `bin/image-service`: the REST service on a local-directory store. The token comes from a file
 * (or IMAGE_SERVICE_TOKEN), never from the command line; expired images are swept each minute.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import yargs from 'yargs';
import { EdgeError, ExitCode, exitCodeOf, isEdgeError } from '../../errors';
import { writeFileAtomic } from '../../util/atomic-write';
import { systemClock } from '../../util/clock';
import { createLogger } from '../../util/log';
import { readGroupKey } from '../device/group-key';
import { openStore, parseStoreUrl } from '../store/store-config';
import { createImageService } from './index';

interface Args {
  listen: string;
  dataDir: string;
  store?: string;
  tokenFile?: string;
  dpsGroupKeyFile?: string;
  secretTtl: number;
  publicUrl?: string;
  lease: number;
}

async function readToken(file: string | undefined): Promise<string> {
  const token = (file ? await fs.readFile(file, 'utf8') : (process.env.IMAGE_SERVICE_TOKEN ?? '')).trim();
  if (token.length < 16) throw new EdgeError('the service needs a bearer token of at least 16 characters', { exitCode: ExitCode.usage, hint: 'give --token-file FILE (e.g. openssl rand -hex 32 > token) or IMAGE_SERVICE_TOKEN' });
  return token;
}

export async function run(argv: string[]): Promise<void> {
  const logger = createLogger({});
  try {
    const a = (await yargs(argv)
      .scriptName('image-service')
      .strict()
      .option('listen', { type: 'string', default: '127.0.0.1:8480', describe: 'address:port to listen on' })
      .option('data-dir', { type: 'string', demandOption: true, describe: "this instance's base cache (and the store, unless --store)" })
      .option('store', { type: 'string', describe: 'where images, bases and job records live: a directory or s3://BUCKET/PREFIX?endpoint=URL (default: DATA_DIR/store)' })
      .option('token-file', { type: 'string', describe: 'file holding the bearer token clients must send (else IMAGE_SERVICE_TOKEN)' })
      .option('dps-group-key-file', { type: 'string', describe: 'DPS enrollment group key (base64): device keys are derived from it, it never goes into an image' })
      .option('secret-ttl', { type: 'number', default: 86400, describe: 'seconds an image holding a secret is kept' })
      .option('lease', { type: 'number', default: 60, describe: 'seconds without a heartbeat after which another instance counts as gone and its unfinished jobs fail' })
      .option('public-url', { type: 'string', describe: 'the URL clients reach the service at (for download links)' })
      .example('$0 --data-dir /srv/images --token-file /etc/image-service/token', '')
      .parseAsync()) as unknown as Args;
    const m = /^(.*):(\d+)$/.exec(a.listen);
    if (!m) throw new EdgeError(`--listen ${a.listen} is not address:port`, { exitCode: ExitCode.usage });
    if (!(a.lease >= 3)) throw new EdgeError(`--lease ${a.lease} is too short`, { exitCode: ExitCode.usage, hint: 'give at least 3 seconds' });
    await fs.mkdir(a.dataDir, { recursive: true, mode: 0o700 });
    const idFile = path.join(a.dataDir, 'instance-id');
    const predecessor = (await fs.readFile(idFile, 'utf8').catch(() => '')).trim() || undefined;
    const service = await createImageService({
      store: openStore(parseStoreUrl(a.store ?? path.join(a.dataDir, 'store'), process.env)),
      cacheDir: path.join(a.dataDir, 'cache'),
      token: await readToken(a.tokenFile),
      clock: systemClock,
      logger,
      dpsGroupKey: a.dpsGroupKeyFile ? await readGroupKey(a.dpsGroupKeyFile) : undefined,
      secretTtlSeconds: a.secretTtl,
      publicUrl: a.publicUrl,
      leaseSeconds: a.lease,
      predecessor,
    });
    await writeFileAtomic(idFile, `${service.instance.id}\n`);
    for (const id of await service.jobs.settleOrphans()) logger.info(`image ${id}: failed, its instance had stopped`);
    const sweep = setInterval(() => void service.jobs.expire().catch((e: Error) => logger.warn(`expiry sweep: ${e.message}`)), 60_000);
    sweep.unref();
    const beat = setInterval(
      () => void service.instance.beat()
        .then(() => service.jobs.settleOrphans())
        .then(() => service.instance.prune())
        .catch((e: Error) => logger.warn(`heartbeat: ${e.message}`)),
      (a.lease * 1000) / 3,
    );
    beat.unref();
    const address = await service.app.listen({ host: m[1], port: Number(m[2]) });
    logger.info(`image service listening on ${address}`);
    const stop = () => void service.app.close().then(() => (clearInterval(sweep), clearInterval(beat)));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (e) {
    const err = isEdgeError(e) ? e : new EdgeError((e as Error).message ?? String(e), { cause: e });
    process.stderr.write(`image-service: ${err.message}${err.hint ? ` (${err.hint})` : ''}\n`);
    process.exitCode = exitCodeOf(e);
  }
}
