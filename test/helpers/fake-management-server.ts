/**
 * A tiny stand-in for edged's management API on a unix socket, answering the upstream JSON shapes
 * of managementVersion_2022_08_03.yaml. Only what the CLI tests need; anything else is a 404.
 */
import * as http from 'node:http';
import type { ModuleDetails } from '../../src/api/management/wire';

export interface FakeServer {
  socketPath: string;
  requests: { method: string; url: string }[];
  modules: Map<string, ModuleDetails>;
  /** The raw bytes GET /modules/{name}/logs answers, in these chunks; with follow=true it stays open. */
  logChunks: Map<string, Buffer[]>;
  /** Makes every request answer this status and message instead. */
  failWith?: { status: number; message: string };
  close(): Promise<void>;
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function startFakeServer(socketPath: string): Promise<FakeServer> {
  const open = new Set<http.ServerResponse>();
  const fake: FakeServer = {
    socketPath,
    requests: [],
    modules: new Map(),
    logChunks: new Map(),
    close: () =>
      new Promise((resolve) => {
        for (const res of open) res.destroy();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    fake.requests.push({ method: req.method ?? '', url: req.url ?? '' });
    const url = new URL(req.url ?? '/', 'http://mgmt');
    const version = url.searchParams.get('api-version');
    if (version === null) return json(res, 400, { message: 'api-version not specified' });
    if (version !== '2022-08-03') return json(res, 400, { message: `invalid api-version "${version}"` });
    if (fake.failWith) return json(res, fake.failWith.status, { message: fake.failWith.message });
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'GET' && url.pathname === '/modules') {
      return json(res, 200, { modules: [...fake.modules.values()] });
    }
    if (parts[0] !== 'modules' || parts.length < 2) return json(res, 404, { message: 'not found' });
    const module = fake.modules.get(parts[1]);
    if (!module) return json(res, 404, { message: `Module not found: ${parts[1]}` });
    if (req.method === 'GET' && parts.length === 2) return json(res, 200, module);
    if (req.method === 'POST' && ['start', 'stop', 'restart'].includes(parts[2])) {
      res.writeHead(204);
      return res.end();
    }
    if (req.method === 'GET' && parts[2] === 'logs') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const chunks = fake.logChunks.get(parts[1]) ?? [];
      let i = 0;
      // One chunk per tick, so the client really sees frames split across reads.
      const next = () => {
        if (res.destroyed) return;
        if (i < chunks.length) {
          res.write(chunks[i++]);
          setImmediate(next);
        } else if (url.searchParams.get('follow') === 'true') {
          open.add(res);
          res.on('close', () => open.delete(res));
        } else {
          res.end();
        }
      };
      return next();
    }
    return json(res, 404, { message: 'not found' });
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  return fake;
}

export function moduleDetails(
  name: string,
  image: string,
  status: string,
  extra: { startTime?: string; exitTime?: string; exitCode?: number } = {},
): ModuleDetails {
  return {
    id: `${name}-id`,
    name,
    type: 'docker',
    config: { settings: { image, createOptions: {} }, env: [] },
    status: {
      startTime: extra.startTime,
      exitStatus: extra.exitTime ? { exitTime: extra.exitTime, statusCode: String(extra.exitCode ?? 0) } : undefined,
      runtimeStatus: { status, description: status },
    },
  };
}

