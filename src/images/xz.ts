/**
 * xz through Debian's `xz` (multi-threaded liblzma): a stream in, a stream out, memory bounded
 * by xz's own block buffers. A failing xz fails the output stream with its message.
 */
import { spawn } from 'node:child_process';
import { PassThrough, type Readable } from 'node:stream';
import { EdgeError } from '../errors';

export interface XzOptions {
  /** 0-9; default DEFAULT_XZ_LEVEL. */
  level?: number;
  threads?: number;
}

/** xz's fastest preset that still shrinks a sparse image to almost nothing. */
export const DEFAULT_XZ_LEVEL = 1;

export function xzCompress(input: Readable, options: XzOptions = {}): Readable {
  return runXz(input, [`-${options.level ?? DEFAULT_XZ_LEVEL}`, `-T${options.threads ?? 0}`, '-c']);
}

export function xzDecompress(input: Readable): Readable {
  return runXz(input, ['-d', '-c', '-T0']);
}

function runXz(input: Readable, args: string[]): Readable {
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const child = spawn('xz', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-500)));
  const fail = (e: Error) => {
    child.kill();
    out.destroy(e);
  };
  child.on('error', (e) => fail(new EdgeError('cannot run xz', { hint: 'install xz-utils', cause: e })));
  input.on('error', fail);
  child.stdin.on('error', () => undefined); // xz exiting early: its exit code says why
  input.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else if (!out.destroyed) out.destroy(new EdgeError(`xz failed: ${stderr.trim().split('\n').at(-1) ?? `exit ${code}`}`, { hint: 'is the base a whole .xz file?' }));
  });
  return out;
}
