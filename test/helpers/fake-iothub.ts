/**
 * A fake IoT Hub: an HTTPS server on 127.0.0.1 with a certificate made by the test, serving the
 * module identity REST API in memory. It checks every SAS token (audience, signature, expiry) and
 * records each request so that tests can assert on paths, headers and bodies.
 */
import { X509Certificate, createHmac, generateKeyPairSync } from 'node:crypto';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { issueCertificate } from '../../src/certs/x509';
import { encodeResource } from '../../src/identity/sas';

export interface TestTls {
  caPem: string;
  certPem: string;
  keyPem: string;
  /** A client certificate signed by the same CA, for X.509 device tests. */
  client(commonName: string): { certPem: string; keyPem: string };
}

export function makeTestTls(): TestTls {
  const now = Date.now();
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const caPem = issueCertificate({
    commonName: 'fake cloud test CA',
    ca: {},
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
    publicKey: ca.publicKey,
    signingKey: ca.privateKey,
  });
  const leaf = (commonName: string, usage: 'serverAuth' | 'clientAuth') => {
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const certPem = issueCertificate({
      commonName,
      subjectAltNames: usage === 'serverAuth' ? [{ dns: 'localhost' }, { ip: '127.0.0.1' }] : [],
      extKeyUsage: [usage],
      notBefore: new Date(now - 60_000),
      notAfter: new Date(now + 86_400_000),
      publicKey: k.publicKey,
      issuerCertPem: caPem,
      signingKey: ca.privateKey,
    });
    return { certPem, keyPem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
  };
  const server = leaf('localhost', 'serverAuth');
  return { caPem, ...server, client: (cn) => leaf(cn, 'clientAuth') };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** CN of the TLS client certificate, when one was presented. */
  clientCn?: string;
}

export interface SasCheck {
  /** The audience the token must name (before encoding). */
  audience: string;
  key: Buffer;
  keyName?: string;
  now?: () => number;
}

/** Verifies a SAS token the way the cloud does; returns why it is refused, or undefined. */
export function checkSas(header: string | undefined, check: SasCheck): string | undefined {
  if (!header?.startsWith('SharedAccessSignature ')) return 'no SharedAccessSignature';
  const params = new URLSearchParams(header.slice('SharedAccessSignature '.length));
  const sr = header.match(/sr=([^&]*)/)?.[1];
  const se = params.get('se');
  const sig = params.get('sig');
  if (sr !== encodeResource(check.audience)) return `sr ${sr} is not ${encodeResource(check.audience)}`;
  if (!se || Number(se) * 1000 < (check.now ?? Date.now)()) return 'expired';
  if ((params.get('skn') ?? undefined) !== check.keyName) return `skn ${params.get('skn')}`;
  const expected = createHmac('sha256', check.key).update(`${sr}\n${se}`).digest('base64');
  return sig === expected ? undefined : 'bad signature';
}

export interface FakeServer {
  url: string;
  host: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Handler = (req: RecordedRequest) => { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

export async function startFakeHttps(tls: TestTls, handler: Handler): Promise<FakeServer> {
  const requests: RecordedRequest[] = [];
  const server = https.createServer({ cert: tls.certPem, key: tls.keyPem, ca: tls.caPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'https://localhost');
      const text = Buffer.concat(chunks).toString('utf8');
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerX509Certificate?.();
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: text ? JSON.parse(text) : undefined,
        clientCn: peer && (req.socket as import('node:tls').TLSSocket).authorized ? /CN=(.*)/.exec(new X509Certificate(peer.raw).subject)?.[1] : undefined,
      };
      requests.push(recorded);
      const reply = handler(recorded);
      if (reply === 'hang') return;
      const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
      res.writeHead(reply.status, { 'Content-Type': 'application/json; charset=utf-8', ...reply.headers });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://localhost:${port}`,
    host: `localhost:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface FakeHubModule {
  moduleId: string;
  deviceId: string;
  generationId: string;
  managedBy?: string;
  authentication?: unknown;
  etag: string;
}

/** IoT Hub's module identity API for one device. */
export async function startFakeIotHub(options: { tls: TestTls; hubHostname: string; deviceId: string; deviceKey?: Buffer }) {
  const modules = new Map<string, FakeHubModule>();
  let generation = 0;
  const base = `/devices/${encodeURIComponent(options.deviceId)}/modules`;
  const server = await startFakeHttps(options.tls, (req) => {
    if (req.query.get('api-version') !== '2017-11-08-preview') return { status: 400, body: { Message: 'bad api-version' } };
    if (options.deviceKey) {
      const why = checkSas(req.headers.authorization as string | undefined, {
        audience: `${options.hubHostname}/devices/${options.deviceId}`,
        key: options.deviceKey,
      });
      if (why) return { status: 401, body: { Message: `Unauthorized: ${why}` } };
    } else if (!req.clientCn) {
      return { status: 401, body: { Message: 'no client certificate' } };
    }
    if (req.path === base && req.method === 'GET') return { status: 200, body: [...modules.values()] };
    if (!req.path.startsWith(base + '/')) return { status: 404, body: { Message: 'DeviceNotFound' } };
    const moduleId = decodeURIComponent(req.path.slice(base.length + 1));
    const existing = modules.get(moduleId);
    switch (req.method) {
      case 'GET':
        return existing ? { status: 200, body: existing } : { status: 404, body: { Message: `ModuleNotFound ${moduleId}` } };
      case 'PUT': {
        const body = req.body as Partial<FakeHubModule>;
        if (req.headers['if-match'] !== '*' && existing) return { status: 409, body: { Message: 'ModuleAlreadyExistsOnDevice' } };
        if (req.headers['if-match'] === '*' && !existing) return { status: 404, body: { Message: 'ModuleNotFound' } };
        const m: FakeHubModule = {
          moduleId,
          deviceId: options.deviceId,
          generationId: existing?.generationId ?? `63800000000${++generation}`,
          managedBy: body.managedBy ?? existing?.managedBy,
          authentication: body.authentication ?? existing?.authentication,
          etag: `"e${generation}${Date.now()}"`,
        };
        modules.set(moduleId, m);
        return { status: existing ? 200 : 200, body: m };
      }
      case 'DELETE':
        if (!existing) return { status: 404, body: { Message: 'ModuleNotFound' } };
        modules.delete(moduleId);
        return { status: 204 };
      default:
        return { status: 405, body: { Message: 'method' } };
    }
  });
  return { ...server, modules };
}
