/** A pass-through stream that hashes (sha256) and counts what flows through it. */
import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

export interface DigestTap {
  stream: Transform;
  /** The hex sha256 and byte count so far: read them once the stream has ended. */
  result(): { sha256: string; size: number };
}

export function digestTap(): DigestTap {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      size += chunk.length;
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ sha256: hash.digest('hex'), size }) };
}
