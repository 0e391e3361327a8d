/**
 * Serves an HttpApi on a unix socket named by a `unix://` URI: a stale socket file is removed
 * first, the file gets the requested mode, and it is removed again on close.
 */
import { promises as fs } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { ConfigError, UnavailableError } from '../../errors';
import { parseUnixUri } from '../../util/unix-uri';
import type { RequestListener } from 'node:http';

export interface UnixListener {
  socketPath: string;
  close(): Promise<void>;
}

/** The longest path a unix socket may have on Linux (sun_path is 108 bytes with its NUL). */
export const UNIX_SOCKET_PATH_MAX = 107;

export function socketPathOf(uri: string): string {
  const unix = parseUnixUri(uri);
  if (!unix) throw new ConfigError(`unsupported listen URI "${uri}"`, { hint: 'use unix:///absolute/path/to/socket' });
  if ('problem' in unix) throw new ConfigError(`listen URI "${uri}" ${unix.problem}`, { hint: 'use unix:///absolute/path/to/socket' });
  const bytes = Buffer.byteLength(unix.path);
  if (bytes > UNIX_SOCKET_PATH_MAX) {
    throw new ConfigError(`socket path ${unix.path} is ${bytes} bytes long; a unix socket path may have at most ${UNIX_SOCKET_PATH_MAX}`, {
      hint: 'use a shorter directory (edged --home, or the [listen] URI)',
    });
  }
  return unix.path;
}

/** `api`: an HttpApi, or anything with a node:http request listener. */
export async function listenUnix(
  api: { listener: RequestListener },
  uri: string,
  options: { mode: number },
): Promise<UnixListener> {
  const socketPath = socketPathOf(uri);
  await fs.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o755 });
  await removeStaleSocket(socketPath);
  const server = http.createServer(api.listener);
  // Log follows stay open for as long as the client wants.
  server.requestTimeout = 0;
  server.headersTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await fs.chmod(socketPath, options.mode);
  let closed: Promise<void> | undefined;
  return {
    socketPath,
    close: () =>
      (closed ??= (async () => {
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await done;
        await fs.rm(socketPath, { force: true });
      })()),
  };
}

/** Removes a socket left by a process that died; refuses to take over one that still answers. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  let st;
  try {
    st = await fs.lstat(socketPath);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (!st.isSocket()) {
    throw new ConfigError(`${socketPath} exists and is not a socket`, { hint: 'remove it or choose another listen URI' });
  }
  if (await answers(socketPath)) {
    throw new UnavailableError(`${socketPath} is in use by another process`, {
      hint: 'stop the other edged first (only one may serve a socket)',
    });
  }
  await fs.rm(socketPath, { force: true });
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
