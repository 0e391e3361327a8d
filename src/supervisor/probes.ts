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
 * edged's management API answers /systeminfo (what stops during the "Initializing modules" hang).
 * Any HTTP answer counts: a 503 while the engine restarts means edged itself is alive.
 */
export function edgedSystemInfo(socketPath: string, timeoutMs = 3000): Probe {
  return (signal) =>
    unixGet(socketPath, '/systeminfo?api-version=2022-08-03', timeoutMs, signal).then((s) => s > 0, () => false);
}
