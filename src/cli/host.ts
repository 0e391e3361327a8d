/**
 * Which management socket the CLI talks to: `-H/--host`, else IOTEDGE_HOST, else the snap's
 * socket when running inside the snap, else upstream's default.
 */
import { BadRequestError } from '../errors';
import { parseUnixUri } from '../util/unix-uri';

export const UPSTREAM_MGMT_URI = 'unix:///var/run/iotedge/mgmt.sock';

export function defaultHost(env: NodeJS.ProcessEnv): string {
  if (env.IOTEDGE_HOST) return env.IOTEDGE_HOST;
  if (env.SNAP_COMMON) return `unix://${env.SNAP_COMMON}/run/iotedge/mgmt.sock`;
  return UPSTREAM_MGMT_URI;
}

/** Where to connect: a unix socket path, or a TCP host and port (upstream also accepts http://). */
export type Endpoint =
  | { kind: 'unix'; socketPath: string; uri: string }
  | { kind: 'tcp'; host: string; port: number; uri: string };

export function parseHost(uri: string): Endpoint {
  const unix = parseUnixUri(uri);
  if (unix) {
    if ('path' in unix) return { kind: 'unix', socketPath: unix.path, uri };
  } else if (uri.startsWith('/')) {
    return { kind: 'unix', socketPath: uri, uri: `unix://${uri}` };
  } else if (/^https?:\/\//.test(uri)) {
    const url = new URL(uri);
    if (url.protocol === 'http:') {
      return { kind: 'tcp', host: url.hostname, port: Number(url.port || 80), uri };
    }
  }
  throw new BadRequestError(`invalid --host '${uri}'`, {
    hint: 'Use unix:///absolute/path/to/mgmt.sock (or http://host:port)',
  });
}
