/**
 * Where the management API is: a unix socket path (`unix:///...` or a bare absolute path), or a
 * TCP host and port (upstream also accepts http://).
 */
import { BadRequestError } from '../../../errors';
import { parseUnixUri } from '../../../util/unix-uri';

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
