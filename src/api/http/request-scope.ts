/**
 * Which API request the code running now serves, so that an error no handler caught (an
 * emitter's 'error' nobody listened to, thrown later in a callback) can still be answered: the
 * process-wide guard (edged/main.ts) asks `failCurrentRequest` to send that request its 500.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { ServerResponse } from 'node:http';
import { errorBody, sendJson } from './errors';

interface RequestScope {
  api: string;
  describe: string;
  res: ServerResponse;
}

const scope = new AsyncLocalStorage<RequestScope>();

export function inRequestScope<T>(current: RequestScope, fn: () => T): T {
  return scope.run(current, fn);
}

/** Answers 500 to the request the error happened in; which one it was ("management GET /modules/x"), or undefined outside a request. */
export function failCurrentRequest(e: unknown): string | undefined {
  const current = scope.getStore();
  if (!current) return undefined;
  const { res } = current;
  if (!res.headersSent && !res.destroyed) sendJson(res, 500, errorBody(e));
  else res.destroy();
  return `${current.api} ${current.describe}`;
}
