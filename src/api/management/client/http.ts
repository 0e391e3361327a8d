/**
 * HTTP/1.1 to the management API over its unix socket (or TCP), with connection errors made readable.
 * Queries (a GET with a timeout, whose answer the caller reads whole: list, get, system info) go
 * over a plain socket (http-query.ts); node:http is loaded only for the other requests.
 */
import type * as http from 'node:http';
import { Readable } from 'node:stream';
import { EdgeError, UnavailableError } from '../../../errors';
import type { Endpoint } from './endpoint';
import { MalformedAnswerError, query } from './http-query';

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  signal?: AbortSignal;
  /** How long to wait for the answer's headers; none when absent (restart waits for the module). */
  timeoutMs?: number;
}

export function send(endpoint: Endpoint, options: RequestOptions): Promise<http.IncomingMessage> {
  if (options.method === 'GET' && options.body === undefined && options.timeoutMs !== undefined) {
    return sendQuery(endpoint, options);
  }
  const nodeHttp = require('node:http') as typeof import('node:http');
  const payload = options.body === undefined ? undefined : Buffer.from(JSON.stringify(options.body));
  const target =
    endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
  return new Promise((resolve, reject) => {
    const requestOptions: http.RequestOptions & { servername: string } = {
      ...target,
      method: options.method,
      path: options.path,
      agent: false,
      // Skips node's server-name guess, whose IPv6 check costs milliseconds of start-up (TLS-only anyway).
      servername: '',
      headers: {
        host: 'mgmt.sock',
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
      },
      signal: options.signal,
    };
    const req = nodeHttp.request(requestOptions);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            req.destroy();
            reject(noAnswer(endpoint, options.timeoutMs!));
          }, options.timeoutMs);
    req.on('response', (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    req.on('error', (e) => {
      clearTimeout(timer);
      reject(connectionError(endpoint, e));
    });
    req.end(payload);
  });
}

function noAnswer(endpoint: Endpoint, timeoutMs: number): UnavailableError {
  return new UnavailableError(`the IoT Edge daemon at ${endpoint.uri} did not answer within ${timeoutMs / 1000} s`, {
    hint: 'Check the daemon log (`snap logs azure-iot-edge` in the snap)',
  });
}

/** The query's answer as the part of an IncomingMessage callers use: statusCode, headers, the body stream. */
async function sendQuery(endpoint: Endpoint, options: RequestOptions): Promise<http.IncomingMessage> {
  const target = endpoint.kind === 'unix' ? { socketPath: endpoint.socketPath } : { host: endpoint.host, port: endpoint.port };
  try {
    const answer = await query({
      target,
      path: options.path,
      host: 'mgmt.sock',
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      timeoutError: () => noAnswer(endpoint, options.timeoutMs!),
    });
    const res = new Readable({ read() {} });
    res.push(answer.body);
    res.push(null);
    return Object.assign(res, { statusCode: answer.statusCode, headers: answer.headers }) as unknown as http.IncomingMessage;
  } catch (e) {
    if (e instanceof EdgeError) throw e;
    if (e instanceof MalformedAnswerError) {
      throw new UnavailableError(`the IoT Edge daemon at ${endpoint.uri} sent a malformed answer (${e.message})`, {
        hint: 'Check that -H/--host names the management socket',
        cause: e,
      });
    }
    throw connectionError(endpoint, e);
  }
}

export async function readBody(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const DAEMON_HINT =
  'Is edged running? In the snap: `snap services azure-iot-edge`; elsewhere check the daemon, or pass -H/--host (IOTEDGE_HOST)';

export function connectionError(endpoint: Endpoint, e: unknown): EdgeError {
  const err = e as NodeJS.ErrnoException;
  if (err?.name === 'AbortError') return new EdgeError('request aborted', { cause: e });
  const where = endpoint.uri;
  switch (err?.code) {
    case 'ENOENT':
      return new UnavailableError(`cannot connect to the IoT Edge daemon: ${where} does not exist`, {
        hint: DAEMON_HINT,
        cause: e,
      });
    case 'ECONNREFUSED':
      return new UnavailableError(`cannot connect to the IoT Edge daemon at ${where}: connection refused`, {
        hint: DAEMON_HINT,
        cause: e,
      });
    case 'EACCES':
    case 'EPERM':
      return new UnavailableError(`cannot connect to the IoT Edge daemon at ${where}: permission denied`, {
        hint: 'Run the command with sudo, or as a user allowed to use the management socket',
        cause: e,
      });
    case 'ENOTSOCK':
      return new UnavailableError(`cannot connect to the IoT Edge daemon: ${where} is not a socket`, {
        hint: DAEMON_HINT,
        cause: e,
      });
    case 'ECONNRESET':
    case 'EPIPE':
      return new UnavailableError(`the IoT Edge daemon at ${where} closed the connection`, {
        hint: 'Check the daemon log (`snap logs azure-iot-edge` in the snap)',
        cause: e,
      });
    default:
      return new UnavailableError(`cannot talk to the IoT Edge daemon at ${where}: ${err?.message ?? String(e)}`, {
        hint: DAEMON_HINT,
        cause: e,
      });
  }
}
