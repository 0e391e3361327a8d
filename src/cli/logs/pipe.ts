/** Copies a module's log stream to the terminal: stdout frames to stdout, stderr frames to stderr. */
import type { Readable, Writable } from 'node:stream';
import { LogDemuxer, STDERR } from './demux';

function write(out: Writable, data: Buffer): Promise<void> {
  if (out.write(data)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const done = (e?: unknown) => {
      out.off('drain', done);
      out.off('error', done);
      if (e) reject(e);
      else resolve();
    };
    out.once('drain', done);
    out.once('error', done);
  });
}

/**
 * Resolves when the stream ends, when `signal` aborts (Ctrl-C) or when the reader goes away
 * (`iotedge logs x | head`): all three are a normal end for a log viewer.
 */
export async function pipeLogs(
  source: Readable,
  stdout: Writable,
  stderr: Writable,
  signal?: AbortSignal,
): Promise<void> {
  const demux = new LogDemuxer();
  const stop = () => source.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  try {
    for await (const chunk of source) {
      for (const f of demux.push(chunk as Buffer)) await write(f.stream === STDERR ? stderr : stdout, f.payload);
    }
    for (const f of demux.end()) await write(f.stream === STDERR ? stderr : stdout, f.payload);
  } catch (e) {
    if (signal?.aborted || (e as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw e;
  } finally {
    signal?.removeEventListener('abort', stop);
    source.destroy();
  }
}
