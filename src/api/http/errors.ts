/** Every failure leaves the API as `{"message": ...}` with the error's HTTP status, as upstream does. */
import type { ServerResponse } from 'node:http';
import { BadRequestError, EdgeError, formatError } from '../../errors';

export interface ErrorBody {
  message: string;
}

export function statusOf(e: unknown): number {
  return e instanceof EdgeError ? e.httpStatus : 500;
}

export function errorBody(e: unknown): ErrorBody {
  return { message: formatError(e) };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/** 400/404/405/... raised by the framework itself, before a handler runs. */
export class HttpError extends EdgeError {
  constructor(httpStatus: number, message: string, headers: Record<string, string> = {}) {
    super(message, { httpStatus });
    this.headers = headers;
  }
  readonly headers: Record<string, string>;
}

export function badRequest(message: string, hint?: string): BadRequestError {
  return new BadRequestError(message, { hint });
}
