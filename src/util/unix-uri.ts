/**
 * The one reading of a `unix://` URI: the socket path after the scheme, percent-decoded (as
 * upstream's URL parser reads it), absolute, and without NUL.
 */
export const UNIX_SCHEME = 'unix://';

export type UnixUri = { path: string } | { problem: string };

/** undefined when the URI is not a `unix://` one at all. */
export function parseUnixUri(uri: string): UnixUri | undefined {
  if (!uri.startsWith(UNIX_SCHEME)) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(uri.slice(UNIX_SCHEME.length));
  } catch {
    return { problem: 'has a malformed %-escape' };
  }
  if (!path.startsWith('/')) return { problem: 'is not an absolute path' };
  if (path.includes('\0')) return { problem: 'contains a NUL character' };
  return { path };
}

/** The socket path, or undefined for another scheme or a path that cannot be used. */
export function unixSocketPath(uri: string | undefined): string | undefined {
  const parsed = uri === undefined ? undefined : parseUnixUri(uri);
  return parsed && 'path' in parsed ? parsed.path : undefined;
}
