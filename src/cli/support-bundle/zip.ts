/** Writes the bundle as a zip (yazl), 0600 and atomically: it holds logs. `-` writes to stdout. */
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { ZipFile } from 'yazl';
import { writeFileAtomic } from '../../util/atomic-write';
import type { BundleEntry } from './collect';

export function zipEntries(entries: readonly BundleEntry[], mtime: Date): Promise<Buffer> {
  const zip = new ZipFile();
  for (const e of entries) zip.addBuffer(e.data, `support_bundle/${e.name}`, { mtime, mode: 0o100600 });
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

export async function writeBundle(out: string, zip: Buffer, stdout: Writable): Promise<string> {
  if (out === '-') {
    stdout.write(zip);
    return 'stdout';
  }
  const file = path.resolve(out);
  await writeFileAtomic(file, zip, { mode: 0o600 });
  return file;
}
