/**
 * `azure-iot-edge-image customize --base B --device D.json -o out.img.xz`: one device's image,
 * with the same core as the service. Errors are one line and an exit code (2: bad input).
 */
import { createHash } from 'node:crypto';
import { promises as fs, createWriteStream } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yargs from 'yargs';
import { EdgeError, ExitCode, exitCodeOf, isEdgeError } from '../../errors';
import { customizeImage } from '../customize';
import { decompressBase, isXz } from '../base/open-base';
import { parseDeviceInput, type DeviceInput } from '../device/spec';
import { readGroupKey } from '../device/group-key';
import { ImageInputError } from '../errors';

export interface CustomizeArgs {
  base: string;
  device?: string;
  connectionStringFile?: string;
  hostname?: string;
  name?: string;
  dpsGroupKeyFile?: string;
  output: string;
  /** The base's chunk cache (disk/chunk-cache.ts) lives under here; false: the whole disk through xz. */
  cacheDir?: string;
  cache?: boolean;
}

/** `$XDG_CACHE_HOME/azure-iot-edge-image`, else `~/.cache/azure-iot-edge-image`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'azure-iot-edge-image');
}

/** A base file is named by where it is and what its inode says (no read of its bytes): a changed file gets a new cache. */
async function chunkCacheFor(base: string, root: string): Promise<{ dir: string; identity: string }> {
  const real = await fs.realpath(base);
  const st = await fs.stat(real);
  const identity = `${real}\0${st.size}\0${st.mtimeMs}\0${st.ino}`;
  return { dir: path.join(root, createHash('sha256').update(identity).digest('hex').slice(0, 16)), identity };
}

async function readSmall(file: string, what: string, max = 1024 * 1024): Promise<string> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile()) throw new ImageInputError(`${what} ${file} is not a readable file`);
  if (stat.size > max) throw new ImageInputError(`${what} ${file} is larger than ${max} bytes`);
  return fs.readFile(file, 'utf8');
}

export async function customizeCommand(args: CustomizeArgs, log: (line: string) => void): Promise<void> {
  let input: DeviceInput = {};
  if (args.device) {
    const text = args.device === '-' ? await readStdin() : await readSmall(args.device, '--device');
    try {
      input = JSON.parse(text) as DeviceInput;
    } catch {
      throw new ImageInputError(`--device ${args.device} is not valid JSON`, { hint: 'a JSON object: {"name": ..., "connectionString": ..., "hostname": ...}' });
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ImageInputError('--device must hold a JSON object');
  }
  if (args.connectionStringFile) input = { ...input, connectionString: (await readSmall(args.connectionStringFile, '--connection-string-file', 4096)).trim() };
  if (args.hostname) input = { ...input, hostname: args.hostname };
  input = { ...input, name: args.name ?? input.name ?? path.basename(args.output).replace(/\.img(\.xz)?$/, '').replace(/[^A-Za-z0-9._-]/g, '-') };
  const spec = parseDeviceInput(input, { dpsGroupKey: args.dpsGroupKeyFile ? await readGroupKey(args.dpsGroupKeyFile) : undefined });
  if (!(await fs.stat(args.base).catch(() => undefined))?.isFile()) throw new ImageInputError(`--base ${args.base} is not a file`);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'azure-iot-edge-image-'));
  const tmpOut = path.join(path.dirname(path.resolve(args.output)), `.${path.basename(args.output)}.partial`);
  try {
    let basePath = args.base;
    if (isXz(args.base)) {
      log(`decompressing ${args.base}`);
      basePath = path.join(work, 'base.img');
      await decompressBase(args.base, basePath);
    }
    const result = await customizeImage({
      basePath,
      chunkCache: args.cache === false ? undefined : await chunkCacheFor(args.base, args.cacheDir ?? defaultCacheDir()),
      spec,
      sink: (image) => pipeline(image, createWriteStream(tmpOut, { mode: 0o600 })),
    });
    await fs.rename(tmpOut, args.output);
    const what = result.base.kind === 'core' ? `Ubuntu Core (${result.base.model.model}, grade ${result.base.model.grade})` : 'classic (cloud-init NoCloud)';
    log(`${args.output}: ${what}, wrote ${result.files.join(', ')} in partition ${result.base.partition.index}; ${result.size} bytes, sha256 ${result.sha256}`);
  } finally {
    await fs.rm(tmpOut, { force: true });
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

export interface CliIo {
  stdout(line: string): void;
  stderr(line: string): void;
}

const processIo: CliIo = { stdout: (s) => void process.stdout.write(`${s}\n`), stderr: (s) => void process.stderr.write(`${s}\n`) };

export async function run(argv: string[]): Promise<void> {
  process.exitCode = await main(argv, processIo);
}

/** The exit code; every error is one line on stderr (`--verbose` adds the cause). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const out = io.stdout;
  let verbose = false;
  try {
    await yargs(argv)
      .scriptName('azure-iot-edge-image')
      .strict()
      .demandCommand(1, 'give a command: customize')
      .option('verbose', { type: 'boolean', describe: 'show the cause of an error' })
      .middleware((a) => void (verbose = Boolean(a.verbose)))
      .command(
        'customize',
        "write one device's identity and settings into a copy-on-write view of a base image and save it as .img.xz",
        (y) =>
          y
            .option('base', { type: 'string', demandOption: true, describe: 'the base image, .img or .img.xz (never modified)' })
            .option('device', { type: 'string', describe: 'JSON file (or -) with name, connectionString | dps | x509, hostname, wifi, deployment' })
            .option('connection-string-file', { type: 'string', describe: 'file holding the device connection string' })
            .option('hostname', { type: 'string', describe: "the device's host name" })
            .option('name', { type: 'string', describe: 'the image name (default: from -o)' })
            .option('dps-group-key-file', { type: 'string', describe: 'the DPS enrollment group key (base64); the device key is derived from it' })
            .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'where the .img.xz goes' })
            .option('cache-dir', { type: 'string', describe: 'where the base, compressed once in chunks, is kept for the next images (default: ~/.cache/azure-iot-edge-image)' })
            .option('cache', { type: 'boolean', default: true, describe: 'reuse the compressed base; --no-cache compresses the whole disk every time' })
            .example('$0 customize --base ubuntu-core-24-amd64.img.xz --device dev1.json -o dev1.img.xz', '')
            .example('$0 customize --base core.img --connection-string-file cs.txt --hostname edge-7 -o edge-7.img.xz', ''),
        async (a) => customizeCommand(a as unknown as CustomizeArgs, out),
      )
      .fail((msg, err) => {
        if (err) throw err;
        throw new EdgeError(msg, { exitCode: ExitCode.usage });
      })
      .exitProcess(false)
      .parseAsync();
    return ExitCode.ok;
  } catch (e) {
    const err = isEdgeError(e) ? e : new EdgeError((e as Error).message ?? String(e), { cause: e });
    io.stderr(`azure-iot-edge-image: ${err.message}${err.hint ? ` (${err.hint})` : ''}`);
    if (verbose && err.cause) io.stderr(`  cause: ${String((err.cause as Error).message ?? err.cause)}`);
    return exitCodeOf(e);
  }
}

