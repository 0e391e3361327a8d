/**
 * Runs a program and answers its exit code and output, never throwing for a non-zero exit.
 * Injected everywhere a command runs snapctl, snap, journalctl or docker, so tests run fakes.
 */
import execa from 'execa';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export type Runner = (file: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

export const execaRunner: Runner = async (file, args, options = {}) => {
  const child = execa(file, [...args], { reject: false, timeout: options.timeoutMs, stdin: 'ignore', maxBuffer: 64 * 1024 * 1024 });
  const onAbort = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await child;
    const notFound = (r as { errno?: number; code?: unknown }).code === 'ENOENT' || (r.exitCode === undefined && /ENOENT/.test(r.stderr ?? ''));
    return { code: notFound ? 127 : (r.exitCode ?? 1), stdout: r.stdout ?? '', stderr: notFound && !r.stderr ? `${file}: not found` : r.stderr ?? '' };
  } catch (e) {
    // execa rejects (even with reject: false) when the program cannot be spawned at all.
    const err = e as NodeJS.ErrnoException;
    return { code: err.code === 'ENOENT' ? 127 : 1, stdout: '', stderr: `${file}: ${err.code === 'ENOENT' ? 'not found' : err.message}` };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
};

/** Runs a program with its output going to `stdout` as it comes (journalctl -f); answers the exit code. */
export type StreamRunner = (file: string, args: readonly string[], options: { stdout: NodeJS.WritableStream; signal?: AbortSignal }) => Promise<RunResult>;

export const execaStream: StreamRunner = async (file, args, options) => {
  const child = execa(file, [...args], { reject: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', buffer: false });
  child.stdout?.pipe(options.stdout, { end: false });
  const err: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => err.push(c));
  const onAbort = () => child.kill('SIGTERM');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const r = await child;
    return { code: r.exitCode ?? (options.signal?.aborted ? 0 : 1), stdout: '', stderr: Buffer.concat(err).toString() };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : 1;
    return { code, stdout: '', stderr: `${file}: ${code === 127 ? 'not found' : (e as Error).message}` };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
};
