/** HTTP/1.1 to the management API over its unix socket (or TCP), with connection errors made readable. */
import * as http from 'node:http';
import { EdgeError, UnavailableError } from '../errors';
import type { Endpoint } from './host';

export interface RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  signal?: AbortSignal;
  /** How long to wait for the answer's headers; none when absent (restart waits for the module). */
  timeoutMs?: number;
}

export function send(endpoint: Endpoint, options: RequestOptions): Promise<http.IncomingMessage> {
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
    const req = http.request(requestOptions);
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            req.destroy();
            reject(
              new UnavailableError(`the IoT Edge daemon at ${endpoint.uri} did not answer within ${options.timeoutMs! / 1000} s`, {
                hint: 'Check the daemon log (`snap logs azure-iot-edge` in the snap)',
              }),
            );
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
