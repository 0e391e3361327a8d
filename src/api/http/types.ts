/** The shapes a route handler sees and returns; nothing here knows about node:http. */
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest {
  method: HttpMethod;
  /** The path as received, without the query string. */
  path: string;
  /** Path parameters, url-decoded (`%24edgeAgent` → `$edgeAgent`). */
  params: Record<string, string>;
  /** Query parameters other than `api-version`. */
  query: URLSearchParams;
  apiVersion: string;
  headers: IncomingHttpHeaders;
  /** The JSON body, or undefined when the request has none. Rejects with a 400/413/415 EdgeError. */
  json(): Promise<unknown>;
  /** Aborted when the client goes away: long-running handlers (log follow) stop on it. */
  signal: AbortSignal;
}

export type Reply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  | { status: number; stream: Readable; contentType: string; headers?: Record<string, string> };

export interface Route {
  method: HttpMethod;
  /** A template: literal segments and `{param}` segments, e.g. `/modules/{name}/logs`. */
  path: string;
  /** The first api-version this route exists in; undefined: every version the server accepts. */
  since?: string;
  /**
   * A check for each `{param}` of the path, run once on the decoded value before the handler:
   * it answers the value the handler sees or throws (a 400). A route without one for each of
   * its parameters is refused when the API is built.
   */
  params?: Record<string, (value: string) => string>;
  handler(req: ApiRequest): Promise<Reply>;
}

export interface ApiDefinition {
  /** For logs: "management", "workload". */
  name: string;
  /** The api-versions accepted, oldest first (their order is what `since` compares against). */
  versions: readonly string[];
  routes: readonly Route[];
}
