import { apiError, moduleFromApi, ManagementClient } from '../../../../../src/api/management/client/management-client';
import { connectionError } from '../../../../../src/api/management/client/http';
import { parseHost } from '../../../../../src/api/management/client/endpoint';
import { BadRequestError, ConflictError, NotFoundError, NotImplementedError, UnavailableError } from '../../../../../src/errors';

describe('apiError: HTTP answers to EdgeErrors', () => {
  test('404 on a module route names the module, exit 3', () => {
    const e = apiError(404, '{"message":"Module not found"}', 'tempSensor');
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toBe("module 'tempSensor' not found");
    expect(e.exitCode).toBe(3);
    expect((e.cause as Error).message).toBe('HTTP 404: Module not found');
  });
  test.each([
    [400, BadRequestError, 'the IoT Edge daemon rejected the request: bad'],
    [409, ConflictError, 'bad'],
    [501, NotImplementedError, 'not supported by the IoT Edge daemon: bad'],
    [503, UnavailableError, 'the IoT Edge daemon is unavailable: bad'],
    [500, Error, 'the IoT Edge daemon answered 500: bad'],
  ])('%d', (status, type, message) => {
    const e = apiError(status, '{"message":"bad"}');
    expect(e).toBeInstanceOf(type);
    expect(e.message).toBe(message);
  });
  test('a body that is not JSON is the message', () => {
    expect(apiError(502, 'Bad Gateway\n').message).toBe('the IoT Edge daemon answered 502: Bad Gateway');
  });
});

describe('connectionError: one line naming the socket and what to check', () => {
  const ep = parseHost('unix:///var/run/iotedge/mgmt.sock');
  const err = (code: string) => Object.assign(new Error(`connect ${code}`), { code });
  test.each([
    ['ENOENT', 'cannot connect to the IoT Edge daemon: unix:///var/run/iotedge/mgmt.sock does not exist', /snap services azure-iot-edge/],
    ['ECONNREFUSED', 'cannot connect to the IoT Edge daemon at unix:///var/run/iotedge/mgmt.sock: connection refused', /Is edged running/],
    ['EACCES', 'cannot connect to the IoT Edge daemon at unix:///var/run/iotedge/mgmt.sock: permission denied', /sudo/],
  ])('%s', (code, message, hint) => {
    const e = connectionError(ep, err(code));
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.exitCode).toBe(4);
    expect(e.message).toBe(message);
    expect(e.hint).toMatch(hint);
  });
});

describe('parseHost', () => {
  test('unix URIs, bare paths and http', () => {
    expect(parseHost('unix:///a/b.sock')).toEqual({ kind: 'unix', socketPath: '/a/b.sock', uri: 'unix:///a/b.sock' });
    expect(parseHost('/a/b.sock')).toEqual({ kind: 'unix', socketPath: '/a/b.sock', uri: 'unix:///a/b.sock' });
    expect(parseHost('http://127.0.0.1:15580')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 15580, uri: 'http://127.0.0.1:15580' });
  });
  test.each(['foo', 'unix://relative.sock', 'https://x', 'tcp://x:1'])('rejects %j as a usage error', (uri) => {
    expect(() => parseHost(uri)).toThrow(BadRequestError);
    expect(() => new ManagementClient(uri)).toThrow(`invalid --host '${uri}'`);
  });
});

describe('moduleFromApi', () => {
  test('the API shape as a runtime Module, keeping the daemon status word', () => {
    const m = moduleFromApi({
      id: 'abc',
      name: 'crashy',
      type: 'docker',
      config: { settings: { image: 'img:1', createOptions: '{"Cmd":["x"]}' }, env: [{ key: 'A', value: '1' }] },
      status: {
        startTime: '2026-01-31T11:00:00Z',
        exitStatus: { exitTime: '2026-01-31T11:59:00Z', statusCode: '2' },
        runtimeStatus: { status: 'backoff', description: 'restarting in 40 s' },
      },
    });
    expect(m).toEqual({
      id: 'abc',
      name: 'crashy',
      type: 'docker',
      config: { image: 'img:1', createOptions: { Cmd: ['x'] }, digest: undefined },
      env: { A: '1' },
      labels: {},
      state: {
        status: 'unknown',
        exitCode: 2,
        statusDescription: 'restarting in 40 s',
        startedAt: new Date('2026-01-31T11:00:00Z'),
        finishedAt: new Date('2026-01-31T11:59:00Z'),
      },
      runtimeStatus: { status: 'backoff', description: 'restarting in 40 s' },
    });
  });
  test("Docker's zero time is no time", () => {
    const m = moduleFromApi({
      id: 'x',
      name: 'idle',
      type: 'docker',
      config: { settings: { image: 'i' } },
      status: { exitStatus: { exitTime: '0001-01-01T00:00:00Z', statusCode: '0' }, runtimeStatus: { status: 'stopped' } },
    });
    expect(m.state.status).toBe('stopped');
    expect(m.state.finishedAt).toBeUndefined();
  });
});

test('a daemon that accepts but never answers: one line after the query timeout', async () => {
  const net = await import('node:net');
  const os = await import('node:os');
  const path = await import('node:path');
  const fs = await import('node:fs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mgmt-silent-'));
  const socketPath = path.join(dir, 'mgmt.sock');
  const sockets: import('node:net').Socket[] = [];
  const server = net.createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => server.listen(socketPath, r));
  try {
    const client = new ManagementClient(`unix://${socketPath}`, undefined, 50);
    await expect(client.list()).rejects.toThrow(`the IoT Edge daemon at unix://${socketPath} did not answer within 0.05 s`);
  } finally {
    sockets.forEach((s) => s.destroy());
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
