/**
 * Docker's multiplexed log stream: frames of an 8-byte header (stream type, 3 zero bytes, a
 * big-endian payload length) and the payload. Frames arrive split across chunks in any way; a
 * container with a TTY sends plain bytes with no headers, which are passed through as stdout.
 */

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;

export interface LogFrame {
  stream: number;
  payload: Buffer;
}

const HEADER = 8;

function looksMultiplexed(b: Buffer): boolean {
  return b[0] <= STDERR && b[1] === 0 && b[2] === 0 && b[3] === 0;
}

export class LogDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private mode: 'unknown' | 'frames' | 'raw' = 'unknown';

  /** The complete frames this chunk finishes; the rest waits for the next chunk. */
  push(chunk: Buffer): LogFrame[] {
    if (this.mode === 'raw') return chunk.length ? [{ stream: STDOUT, payload: chunk }] : [];
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.mode === 'unknown') {
      if (this.pending.length < 4) return [];
      this.mode = looksMultiplexed(this.pending) ? 'frames' : 'raw';
      if (this.mode === 'raw') return this.flushRaw();
    }
    const frames: LogFrame[] = [];
    let at = 0;
    while (this.pending.length - at >= HEADER) {
      const size = this.pending.readUInt32BE(at + 4);
      if (this.pending.length - at - HEADER < size) break;
      frames.push({ stream: this.pending[at], payload: this.pending.subarray(at + HEADER, at + HEADER + size) });
      at += HEADER + size;
    }
    this.pending = this.pending.subarray(at);
    return frames;
  }

  /** At the end of the stream: whatever is left of a cut-off frame, so no byte is lost silently. */
  end(): LogFrame[] {
    if (this.mode === 'raw' || this.mode === 'unknown') return this.flushRaw();
    if (this.pending.length === 0) return [];
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length <= HEADER) return [];
    return [{ stream: rest[0], payload: rest.subarray(HEADER) }];
  }

  private flushRaw(): LogFrame[] {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest.length ? [{ stream: STDOUT, payload: rest }] : [];
  }
}
