/** Container logs as Docker sends them (multiplexed unless TTY), always as a stream. */
import { Readable } from 'node:stream';
import type { LogOptions } from '../types';

export interface DockerLogOptions {
  follow: boolean;
  stdout: true;
  stderr: true;
  tail: number | 'all';
  since?: number;
  until?: number;
  timestamps: boolean;
}

export function dockerLogOptions(options: LogOptions): DockerLogOptions {
  const out: DockerLogOptions = {
    follow: options.follow,
    stdout: true,
    stderr: true,
    tail: options.tail,
    timestamps: options.timestamps,
  };
  if (options.since !== undefined) out.since = options.since;
  if (options.until !== undefined) out.until = options.until;
  return out;
}

/** dockerode answers a Buffer when not following and a stream when following. */
export function asReadable(result: unknown): Readable {
  if (result instanceof Readable) return result;
  if (Buffer.isBuffer(result)) return Readable.from([result]);
  if (typeof result === 'string') return Readable.from([Buffer.from(result)]);
  if (result && typeof (result as NodeJS.ReadableStream).pipe === 'function') {
    return Readable.from(result as AsyncIterable<Buffer>);
  }
  return Readable.from([]);
}
