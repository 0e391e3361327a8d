import { lstatSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { HttpApi, listenUnix, Route, UnixListener } from '../../../../src/api/http';
import { failCurrentRequest } from '../../../../src/api/http/request-scope';
import { BadRequestError, ConflictError } from '../../../../src/errors';
import { memoryLogger } from '../../../../src/util/log';
import { unixRequest } from '../../../contract/helpers/unix-client';

const VERSIONS = ['2020-01-01', '2021-01-01'];
const routes: Route[] = [
  {
    method: 'POST',
    path: '/echo/{name}',
    params: { name: (v) => { if (v.includes('/')) throw new BadRequestError('no "/" in a name'); return v; } },
    handler: async (req) => ({ status: 200, body: { name: req.params.name, body: await req.json(), q: req.query.get('q'), v: req.apiVersion } }) },
  { method: 'GET', path: '/new', since: '2021-01-01', handler: async () => ({ status: 200, body: { ok: true } }) },
  { method: 'GET', path: '/conflict', handler: async () => { throw new ConflictError('already there', { hint: 'remove it first' }); } },
  { method: 'GET', path: '/crash', handler: async () => { throw new TypeError('undefined is not a function'); } },
  { method: 'GET', path: '/stream', handler: async () => ({ status: 200, stream: Readable.from([Buffer.from('a'), Buffer.from('b')]), contentType: 'text/plain' }) },
  { method: 'DELETE', path: '/thing', handler: async () => ({ status: 204 }) },
  // What the process-wide guard does with an error thrown later, outside the handler's promise.
  { method: 'GET', path: '/late-crash', handler: () => new Promise(() => setImmediate(() => failCurrentRequest(new Error('emitter error nobody listened to')))) },
];

let dir: string;
let listener: UnixListener;
const logger = memoryLogger();
const sock = () => path.join(dir, 'run', 'api.sock');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'http-api-'));
  listener = await listenUnix(new HttpApi({ name: 'test', versions: VERSIONS, routes }, logger), `unix://${sock()}`, { mode: 0o666 });
});
afterAll(async () => {
  await listener.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, p: string, body?: unknown, headers?: Record<string, string>) => unixRequest(sock(), method, p, body, headers);

describe('HttpApi', () => {
  it('hands decoded params, the JSON body, the query and the version to the handler', async () => {
    const res = await call('POST', '/echo/%24edgeHub?q=1&api-version=2020-01-01', { a: 1 });
    expect(res).toMatchObject({ status: 200, json: { name: '$edgeHub', body: { a: 1 }, q: '1', v: '2020-01-01' } });
  });

  it('runs the route\'s check on each decoded path parameter before the handler', async () => {
    const res = await call('POST', '/echo/..%2Fetc?api-version=2020-01-01', {});
    expect(res).toMatchObject({ status: 400, json: { message: 'no "/" in a name' } });
  });

  it('refuses to build an API with a route parameter that has no check', () => {
    const unchecked: Route = { method: 'GET', path: '/a/{x}/b/{y}', params: { x: (v) => v }, handler: async () => ({ status: 204 }) };
    expect(() => new HttpApi({ name: 't', versions: VERSIONS, routes: [unchecked] }, logger)).toThrow('route GET /a/{x}/b/{y} has no check for {y}');
  });

  it('answers 500 to the request an uncaught error happened in, and nothing outside a request', async () => {
    expect(await call('GET', '/late-crash?api-version=2020-01-01')).toMatchObject({ status: 500, json: { message: 'emitter error nobody listened to' } });
    expect(failCurrentRequest(new Error('outside'))).toBeUndefined();
  });

  it('answers a missing or unknown api-version with upstream\'s words', async () => {
    expect(await call('GET', '/new')).toMatchObject({ status: 400, json: { message: 'api-version not specified' } });
    expect(await call('GET', '/new?api-version=bogus')).toMatchObject({ status: 400, json: { message: 'invalid api-version "bogus"' } });
  });

  it('answers 404 for a route of a later version, saying from which', async () => {
    const res = await call('GET', '/new?api-version=2020-01-01');
    expect(res).toMatchObject({ status: 404, json: { message: expect.stringContaining('from 2021-01-01 on') } });
    expect((await call('GET', '/new?api-version=2021-01-01')).status).toBe(200);
  });

  it('answers 405 with Allow for a known path and another method', async () => {
    const res = await call('GET', '/thing?api-version=2020-01-01');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('DELETE');
    expect(res.json).toEqual({ message: 'method GET not allowed on /thing' });
  });

  it('maps an EdgeError to its status with message and hint, anything else to 500', async () => {
    expect(await call('GET', '/conflict?api-version=2020-01-01')).toMatchObject({ status: 409, json: { message: 'already there. remove it first' } });
    expect(await call('GET', '/crash?api-version=2020-01-01')).toMatchObject({ status: 500, json: { message: 'undefined is not a function' } });
    expect(logger.lines.some((l) => l.includes('<ERROR>') && l.includes('/crash'))).toBe(true);
  });

  it('rejects bad JSON with 400, another content type with 415', async () => {
    const bad = await call('POST', '/echo/x?api-version=2020-01-01', '{"a":');
    expect(bad.status).toBe(400);
    expect((bad.json as { message: string }).message).toMatch(/^request body is not valid JSON/);
    const xml = await call('POST', '/echo/x?api-version=2020-01-01', '<a/>', { 'content-type': 'text/xml' });
    expect(xml).toMatchObject({ status: 415, json: { message: 'request body must be application/json' } });
  });

  it('streams a body, and sends 204 without one', async () => {
    const s = await call('GET', '/stream?api-version=2020-01-01');
    expect(s.text).toBe('ab');
    expect(s.headers['transfer-encoding']).toBe('chunked');
    const d = await call('DELETE', '/thing?api-version=2020-01-01');
    expect(d.status).toBe(204);
    expect(d.text).toBe('');
  });
});

describe('listenUnix', () => {
  it('creates the socket with the mode asked for', () => {
    expect(statSync(sock()).mode & 0o777).toBe(0o666);
  });

  it('replaces a stale socket file, and removes its own on close', async () => {
    const p = path.join(dir, 'stale.sock');
    const old = net.createServer().listen(p);
    await new Promise((r) => old.once('listening', r));
    // A process killed with -9 leaves the file behind: simulate by closing without unlinking.
    const fd = lstatSync(p);
    expect(fd.isSocket()).toBe(true);
    (old as unknown as { _handle: { close(): void } })._handle.close();
    const l = await listenUnix({ listener: (_q, s) => s.end() }, `unix://${p}`, { mode: 0o660 });
    expect(statSync(p).mode & 0o777).toBe(0o660);
    await l.close();
    expect(() => lstatSync(p)).toThrow();
  });

  it('refuses a path that is not a socket, and a relative or non-unix URI', async () => {
    const f = path.join(dir, 'file');
    writeFileSync(f, 'x');
    await expect(listenUnix({ listener: () => undefined }, `unix://${f}`, { mode: 0o660 })).rejects.toThrow(/exists and is not a socket/);
    await expect(listenUnix({ listener: () => undefined }, 'unix://rel.sock', { mode: 0o660 })).rejects.toThrow(/not an absolute path/);
    await expect(listenUnix({ listener: () => undefined }, 'fd://0', { mode: 0o660 })).rejects.toThrow(/unsupported listen URI/);
  });
});
