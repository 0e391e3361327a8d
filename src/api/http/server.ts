/**
 * One HTTP API (management, workload) as a node:http request listener: api-version check, route
 * lookup, JSON in and out, streams, and one place where errors become `{"message": ...}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../util/log';
import { requireApiVersion, versionIncludes } from './api-version';
import { readJsonBody } from './body';
import { HttpError, errorBody, sendJson, statusOf } from './errors';
import { inRequestScope } from './request-scope';
import { Router } from './router';
import type { ApiDefinition, ApiRequest, HttpMethod, Reply } from './types';

export class HttpApi {
  readonly name: string;
  readonly versions: readonly string[];
  private readonly router: Router;
  private readonly log: Logger;

  constructor(definition: ApiDefinition, logger: Logger) {
    this.name = definition.name;
    this.versions = definition.versions;
    for (const r of definition.routes) {
      versionIncludes(this.versions, r.since, this.versions[0]);
      const unchecked = templateParams(r.path).filter((p) => !r.params?.[p]);
      if (unchecked.length) throw new Error(`route ${r.method} ${r.path} has no check for {${unchecked.join('}, {')}}`);
    }
    this.router = new Router(definition.routes);
    this.log = logger;
  }

  /** The node:http request listener. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    void inRequestScope({ api: this.name, describe: `${req.method} ${pathOf(req)}`, res }, () => this.handle(req, res));
  };

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const aborter = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) aborter.abort(new Error('client closed the connection'));
    });
    let reply: Reply;
    try {
      reply = await this.dispatch(req, aborter.signal);
    } catch (e) {
      const status = statusOf(e);
      const body = errorBody(e);
      if (status >= 500) this.log.error(`${req.method} ${pathOf(req)}: ${body.message}`, { status });
      else this.log.debug(`${req.method} ${pathOf(req)}: ${body.message}`, { status });
      if (!res.headersSent) sendJson(res, status, body, e instanceof HttpError ? e.headers : {});
      else res.destroy();
      return;
    }
    this.log.debug(`${req.method} ${pathOf(req)} -> ${reply.status}`);
    send(res, reply);
  }

  private async dispatch(req: IncomingMessage, signal: AbortSignal): Promise<Reply> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      throw new HttpError(400, `invalid request URI ${JSON.stringify(req.url)}`);
    }
    const apiVersion = requireApiVersion(url.searchParams, this.versions);
    const method = (req.method ?? 'GET').toUpperCase();
    const inVersion = (since: string | undefined) => versionIncludes(this.versions, since, apiVersion);
    const found = this.router.lookup(method, url.pathname, (r) => inVersion(r.since));
    if (found.kind === 'method') {
      throw new HttpError(405, `method ${method} not allowed on ${shorten(url.pathname)}`, { allow: found.allowed.join(', ') });
    }
    if (found.kind === 'none') {
      const later = this.router.lookup(method, url.pathname);
      if (later.kind === 'found') {
        throw new HttpError(
          404,
          `not found: ${method} ${shorten(url.pathname)} is not part of api-version ${apiVersion} (it exists from ${later.match.route.since} on)`,
        );
      }
      throw new HttpError(404, `not found: ${method} ${shorten(url.pathname)}`);
    }
    const { route } = found.match;
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(found.match.params)) params[k] = route.params![k](v);
    const query = new URLSearchParams(url.searchParams);
    query.delete('api-version');
    const request: ApiRequest = {
      method: method as HttpMethod,
      path: url.pathname,
      params,
      query,
      apiVersion,
      headers: req.headers,
      json: () => readJsonBody(req),
      signal,
    };
    return route.handler(request);
  }
}

function templateParams(template: string): string[] {
  return [...template.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
}

/** For logs: the path without the query, shortened. */
function pathOf(req: IncomingMessage): string {
  return shorten((req.url ?? '/').split('?')[0]);
}

function shorten(path: string): string {
  return path.length > 200 ? `${path.slice(0, 200)}... (${path.length} characters)` : path;
}

function send(res: ServerResponse, reply: Reply): void {
  if ('stream' in reply) {
    const { stream } = reply;
    res.writeHead(reply.status, { ...reply.headers, 'content-type': reply.contentType });
    res.on('close', () => stream.destroy());
    stream.on('error', () => res.destroy());
    stream.pipe(res);
    return;
  }
  if (reply.body === undefined) {
    res.writeHead(reply.status, { ...reply.headers, ...(reply.status === 204 ? {} : { 'content-length': '0' }) });
    res.end();
    return;
  }
  sendJson(res, reply.status, reply.body, reply.headers);
}
