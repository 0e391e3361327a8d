/** HTTP over a unix socket, bounded in time: "does the engine / edged answer?" */
import * as http from 'node:http';

export function unixRequest(
  socketPath: string,
  method: string,
  path: string,
  timeoutMs: number,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer on ${socketPath} within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export function unixGet(socketPath: string, path: string, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get({ socketPath, path, timeout: timeoutMs, signal }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer on ${socketPath} within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

export type Probe = (signal: AbortSignal) => Promise<boolean>;

/** The engine answers GET /_ping with 200. */
export function dockerPing(socketPath: string, timeoutMs = 3000): Probe {
  return (signal) => unixGet(socketPath, '/_ping', timeoutMs, signal).then((s) => s === 200, () => false);
}

/**
 * edged is alive when its management API answers at all, on a path no route serves (a 404 from
 * its router): that request never waits for the engine, so a frozen engine cannot make edged look
 * hung. (/systeminfo asks the engine: it hung with a frozen dockerd and edged was restarted.)
 */
export const EDGED_LIVENESS_PATH = '/edged-liveness?api-version=2022-08-03';

export function edgedAnswers(socketPath: string, timeoutMs = 5000): Probe {
  return (signal) => unixGet(socketPath, EDGED_LIVENESS_PATH, timeoutMs, signal).then((s) => s > 0, () => false);
}
