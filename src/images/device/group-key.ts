/** The DPS enrollment group key, from a file the operator keeps (base64); it never goes into an image. */
import { promises as fs } from 'node:fs';
import { decodeBase64Key } from '../../util/base64';
import { ImageInputError } from '../errors';

export async function readGroupKey(file: string): Promise<Buffer> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat?.isFile() || stat.size > 4096) throw new ImageInputError(`the DPS group key file ${file} is not a readable file of at most 4 KiB`);
  const key = decodeBase64Key((await fs.readFile(file, 'utf8')).trim());
  if (!key) throw new ImageInputError('the DPS group key file does not hold a base64 key');
  return key;
}
