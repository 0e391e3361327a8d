/** Builds the dockerode client for the engine URI from the super-config (`[moby_runtime] uri`). */
import Docker from 'dockerode';
import { ConfigError } from '../../errors';

export function createDockerClient(uri: string): Docker {
  const target = parseEngineUri(uri);
  return target.socketPath !== undefined
    ? new Docker({ socketPath: target.socketPath })
    : new Docker({ host: target.host, port: target.port, protocol: 'http' });
}

export interface EngineTarget {
  socketPath?: string;
  host?: string;
  port?: number;
}

export function parseEngineUri(uri: string): EngineTarget {
  if (uri.startsWith('unix://')) {
    const socketPath = uri.slice('unix://'.length);
    if (!socketPath.startsWith('/')) {
      throw new ConfigError(`Invalid Docker engine URI "${uri}"`, { hint: 'Use unix:///absolute/path/to/docker.sock' });
    }
    return { socketPath };
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
