/**
 * One JSON request to IoT Hub or DPS over HTTPS: cloud_timeout_sec bounds each whole attempt,
 * and cloud_retries more attempts on network failures (HTTP errors are answers, not retried).
 */
import * as https from 'node:https';
import { rootCertificates } from 'node:tls';
import { UnavailableError } from '../../errors';
import { Clock, systemClock } from '../../util/clock';
import type { Logger } from '../../util/log';

export interface TlsOptions {
  /** Extra trusted roots (PEM); the system's stay trusted. */
  ca?: string | string[];
  /** Client certificate and key (PEM), for X.509 authentication. */
  cert?: string;
  key?: string;
}

export interface CloudOptions {
  timeoutMs: number;
  retries: number;
  /** Wait between attempts (upstream: 3 s). */
  retryDelayMs?: number;
  clock?: Clock;
  logger?: Logger;
  tls?: TlsOptions;
  /** Where to really connect for a host name (tests: `hub.example` → `localhost:4433`). */
  hostOverride?: Record<string, string>;
}

/** The `host[:port]` to connect to for a cloud host name. */
export function connectHost(host: string, options: CloudOptions): string {
  return options.hostOverride?.[host] ?? host;
}

export interface CloudRequest {
  method: 'GET' | 'PUT' | 'DELETE' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface CloudResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json?: unknown;
}

export async function cloudRequest(req: CloudRequest, options: CloudOptions): Promise<CloudResponse> {
  const clock = options.clock ?? systemClock;
  const attempts = Math.max(0, options.retries) + 1;
  const where = new URL(req.url).host;
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      return await once(req, options);
    } catch (e) {
      last = e;
      options.logger?.warn(`Request to ${where} failed (attempt ${attempt} of ${attempts}): ${(e as Error).message}`);
      if (attempt < attempts) await clock.sleep(options.retryDelayMs ?? 3000);
    }
  }
  throw new UnavailableError(`cannot reach ${where}: ${(last as Error)?.message ?? last}`, {
    hint: 'check the network, the host name and cloud_timeout_sec / cloud_retries',
    cause: last,
  });
}

function once(req: CloudRequest, options: CloudOptions): Promise<CloudResponse> {
  const url = new URL(req.url);
  const payload = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
  const headers: Record<string, string> = { Accept: 'application/json', ...req.headers };
  if (payload) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = String(payload.length);
  }
  return new Promise((resolveAttempt, rejectAttempt) => {
    // One deadline for the whole attempt (connect, TLS, answer, body): the socket's idle timeout
    // fired after about twice the setting on a peer that accepts and never answers.
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
    const resolve = (r: CloudResponse) => {
      clearTimeout(deadline);
      resolveAttempt(r);
    };
    const reject = (e: unknown) => {
      clearTimeout(deadline);
      rejectAttempt(e);
    };
    const request = https.request(
      {
        method: req.method,
        hostname: url.hostname,
        port: url.port || 443,
        path: url.pathname + url.search,
        headers,
        ca: options.tls?.ca ? withSystemRoots(options.tls.ca) : undefined,
        cert: options.tls?.cert,
        key: options.tls?.key,
        servername: url.hostname,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          if (text && String(res.headers['content-type'] ?? '').includes('json')) {
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

function withSystemRoots(ca: string | string[]): string[] {
  return [...rootCertificates, ...(Array.isArray(ca) ? ca : [ca])];
}

/** The message of an IoT Hub / DPS error body (`Message`, `message` or `errorMessage`). */
export function errorMessageOf(res: CloudResponse): string {
  const body = (res.json ?? {}) as Record<string, unknown>;
  const message = body.Message ?? body.message ?? body.errorMessage;
  return typeof message === 'string' ? message : res.text.slice(0, 200) || `HTTP ${res.status}`;
}
