/**
 * A base image as given (`.img` or `.img.xz`): its sha256 (of the file as given, which names
 * it) and a raw image to read. An .xz is decompressed once, sparsely, into `workDir`.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BaseImageError } from '../errors';
import { xzDecompress } from '../xz';
import { writeSparse } from './raw-file';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

export function isXz(file: string): boolean {
  return file.endsWith('.xz');
}

/** Decompresses an .img.xz into `dest` (sparse); a truncated or corrupt .xz is a BaseImageError. */
export async function decompressBase(source: string, dest: string): Promise<number> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  try {
    return await writeSparse(xzDecompress(createReadStream(source)), dest);
  } catch (e) {
    await fs.rm(dest, { force: true });
    throw new BaseImageError(`the base image ${path.basename(source)} does not decompress: ${(e as Error).message}`, { hint: 'download the .img.xz again (it may be truncated)', cause: e });
  }
}
