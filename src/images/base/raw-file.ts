/**
 * Writes a stream to a file, leaving runs of zero blocks as holes: a decompressed 4 GiB base
 * that is mostly empty stays a few MiB on disk, as `xz -d` would leave it.
 */
import { promises as fs } from 'node:fs';
import type { Readable } from 'node:stream';

const BLOCK = 64 * 1024;
const ZEROS = Buffer.alloc(1 << 20);

/** All zero bytes (memcmp against a zero buffer, a MiB at a time). */
export function isZero(b: Buffer): boolean {
  for (let off = 0; off < b.length; off += ZEROS.length) {
    const part = b.subarray(off, off + ZEROS.length);
    if (!part.equals(ZEROS.subarray(0, part.length))) return false;
  }
  return true;
}

export async function writeSparse(input: Readable, file: string): Promise<number> {
  const handle = await fs.open(file, 'w', 0o600);
  let pos = 0;
  let pending: Buffer = Buffer.alloc(0);
  try {
    const flush = async (block: Buffer) => {
      if (!isZero(block)) await handle.write(block, 0, block.length, pos);
      pos += block.length;
    };
    for await (const chunk of input as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let off = 0;
      while (pending.length - off >= BLOCK) {
        await flush(pending.subarray(off, off + BLOCK));
        off += BLOCK;
      }
      pending = Buffer.from(pending.subarray(off));
    }
    if (pending.length) await flush(pending);
    await handle.truncate(pos);
    await handle.sync();
    return pos;
  } finally {
    await handle.close();
  }
}
