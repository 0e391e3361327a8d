import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { decodeChunked, MalformedAnswerError, parseAnswer, query, requestText } from '../../../../../src/api/management/client/http-query';
import { readBody, send } from '../../../../../src/api/management/client/http';
import { parseHost } from '../../../../../src/api/management/client/endpoint';
import { UnavailableError } from '../../../../../src/errors';

const raw = (s: string) => Buffer.from(s, 'latin1');

describe('parseAnswer', () => {
  it('reads a sized body and lower-cases header names', () => {
    const a = parseAnswer(raw('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}'));
    expect(a).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json', 'content-length': '2' }, body: raw('{}') });
  });
  it('decodes a chunked body (with extensions and trailers)', () => {
    const a = parseAnswer(raw('HTTP/1.1 404 Not Found\r\ntransfer-encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n7\r\n, world\r\n0\r\nx-trailer: 1\r\n\r\n'));
    expect(a.statusCode).toBe(404);
    expect(a.body.toString()).toBe('hello, world');
  });
  it('reads to the end without a length, and skips interim answers', () => {
    const a = parseAnswer(raw('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 500 Oops\r\n\r\nboom'));
    expect(a.statusCode).toBe(500);
    expect(a.body.toString()).toBe('boom');
  });
  it.each([
    ['nothing at all', ''],
    ['no end of headers', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n'],
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a body shorter than its length', 'HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc'],
    ['a chunk cut short', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhel'],
    ['a bad chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'],
  ])('rejects %s', (_what, text) => {
    expect(() => parseAnswer(raw(text))).toThrow(MalformedAnswerError);
  });
  it('decodes an empty chunked body', () => {
    expect(decodeChunked(raw('0\r\n\r\n')).length).toBe(0);
  });
  it('asks for the connection to close', () => {
    expect(requestText('/modules?api-version=2022-08-03', 'mgmt.sock')).toBe(
      'GET /modules?api-version=2022-08-03 HTTP/1.1\r\nhost: mgmt.sock\r\nconnection: close\r\n\r\n',
    );
  });
});

describe('query over a unix socket', () => {
  let dir: string;
  let socketPath: string;
  let server: net.Server | http.Server | undefined;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'http-query-'));
    socketPath = path.join(dir, 's.sock');
  });
  afterEach(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  const listen = (s: net.Server | http.Server) =>
    new Promise<void>((resolve) => {
      server = s;
      s.listen(socketPath, resolve);
    });

  it("reads node's http server's answers, sized and chunked in several writes", async () => {
    await listen(
      http.createServer((req, res) => {
        if (req.url === '/sized') return res.end(JSON.stringify({ url: req.url, host: req.headers.host }));
        res.write('part 1, ');
        setImmediate(() => res.end('part 2'));
      }),
    );
    const sized = await query({ target: { socketPath }, path: '/sized', host: 'mgmt.sock' });
    expect(JSON.parse(sized.body.toString())).toEqual({ url: '/sized', host: 'mgmt.sock' });
    const chunked = await query({ target: { socketPath }, path: '/chunked', host: 'mgmt.sock' });
    expect(chunked.headers['transfer-encoding']).toBe('chunked');
    expect(chunked.body.toString()).toBe('part 1, part 2');
  });

  it("rejects with the socket's own error when nothing listens", async () => {
    await expect(query({ target: { socketPath }, path: '/', host: 'h' })).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('gives up after the timeout, and on abort', async () => {
    const sockets: net.Socket[] = [];
    await listen(net.createServer((s) => sockets.push(s)));
    await expect(
      query({ target: { socketPath }, path: '/', host: 'h', timeoutMs: 50, timeoutError: () => new Error('too slow') }),
    ).rejects.toThrow('too slow');
    const aborter = new AbortController();
    const pending = query({ target: { socketPath }, path: '/', host: 'h', signal: aborter.signal });
    aborter.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    sockets.forEach((s) => s.destroy());
  });

  it('send(): a query answers like an IncomingMessage; a daemon hanging up mid-answer is one clear error', async () => {
    await listen(
      net.createServer((s) =>
        s.once('data', (d) => {
          if (d.toString().startsWith('GET /ok')) s.end('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nfine');
          else s.end('HTTP/1.1 200 OK\r\ncontent-length: 40\r\n\r\ncut');
        }),
      ),
    );
    const endpoint = parseHost(`unix://${socketPath}`);
    const res = await send(endpoint, { method: 'GET', path: '/ok', timeoutMs: 5000 });
    expect(res.statusCode).toBe(200);
    expect(await readBody(res)).toBe('fine');
    const cut = send(endpoint, { method: 'GET', path: '/cut', timeoutMs: 5000 });
    await expect(cut).rejects.toThrow(UnavailableError);
    await expect(cut).rejects.toThrow(/malformed answer/);
  });
});
