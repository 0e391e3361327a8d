/** Path templates (`/modules/{name}/logs`) compiled once, matched segment by segment. */
import type { HttpMethod, Route } from './types';

interface CompiledRoute {
  route: Route;
  segments: { literal?: string; param?: string }[];
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export type Lookup =
  | { kind: 'found'; match: RouteMatch }
  /** The path exists, but not with this method. */
  | { kind: 'method'; allowed: HttpMethod[] }
  | { kind: 'none' };

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => ({
      route,
      segments: split(route.path).map((s) => {
        const m = /^\{([^}]+)\}$/.exec(s);
        return m ? { param: m[1] } : { literal: s };
      }),
    }));
  }

  /** Routes whose path matches, among those `accept` keeps (e.g. the ones of this api-version). */
  lookup(method: HttpMethod | string, path: string, accept: (r: Route) => boolean = () => true): Lookup {
    const parts = split(path);
    const allowed: HttpMethod[] = [];
    for (const c of this.compiled) {
      if (!accept(c.route)) continue;
      const params = matchSegments(c.segments, parts, path.endsWith('/'), c.route.path.endsWith('/'));
      if (!params) continue;
      if (c.route.method === method) return { kind: 'found', match: { route: c.route, params } };
      allowed.push(c.route.method);
    }
    return allowed.length ? { kind: 'method', allowed } : { kind: 'none' };
  }
}

/** `/a/b/` → [a, b]; an empty segment in the middle (`/a//b`) is kept, and then matches nothing. */
function split(path: string): string[] {
  const trimmed = path.replace(/^\//, '').replace(/\/$/, '');
  return trimmed === '' ? [] : trimmed.split('/');
}

function matchSegments(
  segments: CompiledRoute['segments'],
  parts: string[],
  pathSlash: boolean,
  templateSlash: boolean,
): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  // `/modules/` is not `/modules`; a template with a trailing slash (upstream's `/identities/`)
  // also accepts the path without it.
  if (pathSlash && !templateSlash && parts.length > 0) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.literal !== undefined) {
      if (s.literal !== parts[i]) return undefined;
      continue;
    }
    let value: string;
    try {
      value = decodeURIComponent(parts[i]);
    } catch {
      return undefined;
    }
    if (value === '') return undefined;
    params[s.param!] = value;
  }
  return params;
}
