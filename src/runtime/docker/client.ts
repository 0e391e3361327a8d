/**
 * The one dockerode factory: a client for the engine URI from the super-config
 * (`[moby_runtime] uri`), for edged and for the CLI's engine diagnostics (`timeoutMs`).
 */
import Docker from 'dockerode';
import { ConfigError } from '../../errors';
import { parseUnixUri } from '../../util/unix-uri';

export function createDockerClient(uri: string, options: { timeoutMs?: number } = {}): Docker {
  refuseRedirects();
  const target = parseEngineUri(uri);
  const timeout = options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {};
  return target.socketPath !== undefined
    ? new Docker({ socketPath: target.socketPath, ...timeout })
    : new Docker({ host: target.host, port: target.port, protocol: 'http', ...timeout });
}

/**
 * docker-modem follows a 3xx to wherever its Location points, with a request whose 'error' no one
 * listens to: dockerd answers a path holding `..` with a redirect, so a name that reached a path
 * sent edged to any host, and a failed connection there crashed it. The engine API never
 * redirects a well-formed request: with a limit of 0 a redirect fails the call instead.
 */
function refuseRedirects(): void {
  (require('docker-modem/lib/http') as { maxRedirects: number }).maxRedirects = 0;
}

export interface EngineTarget {
  socketPath?: string;
  host?: string;
  port?: number;
}

export function parseEngineUri(uri: string): EngineTarget {
  const unix = parseUnixUri(uri);
  if (unix) {
    if ('problem' in unix) {
      throw new ConfigError(`Invalid Docker engine URI "${uri}": it ${unix.problem}`, { hint: 'Use unix:///absolute/path/to/docker.sock' });
    }
    return { socketPath: unix.path };
  }
  if (uri.startsWith('http://') || uri.startsWith('tcp://')) {
    const url = new URL(uri.replace(/^tcp:/, 'http:'));
    return { host: url.hostname, port: url.port ? Number(url.port) : 2375 };
  }
  throw new ConfigError(`Unsupported Docker engine URI "${uri}"`, {
    hint: 'Use unix:///path/to/docker.sock or http://host:port',
  });
}

/** A human-readable name of the engine endpoint, for error messages. */
export function describeEngine(docker: Docker): string {
  const opts = (docker as unknown as { modem?: { socketPath?: string; host?: string; port?: number } }).modem ?? {};
  if (opts.socketPath) return String(opts.socketPath);
  return `${opts.host ?? 'localhost'}:${opts.port ?? ''}`;
}
