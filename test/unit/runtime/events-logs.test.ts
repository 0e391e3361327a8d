import { Readable } from 'node:stream';
import { runtimeEventFrom, eventFilters } from '../../../src/runtime/docker/events';
import { asReadable, dockerLogOptions } from '../../../src/runtime/docker/logs';
import { parseEngineUri } from '../../../src/runtime/docker/client';
import { toEdgeError } from '../../../src/runtime/docker/errors';
import { ConfigError, NotFoundError, UnavailableError } from '../../../src/errors';

describe('runtimeEventFrom', () => {
  it('takes the name, action, exit code and nanosecond time', () => {
    expect(
      runtimeEventFrom({ Action: 'die', timeNano: 1767225600123456789, Actor: { Attributes: { name: 'm', exitCode: '137' } } }),
    ).toEqual({ name: 'm', action: 'die', exitCode: 137, time: new Date(1767225600123) });
  });
  it('skips events without a name', () => {
    expect(runtimeEventFrom({ Action: 'start', Actor: { Attributes: {} } })).toBeUndefined();
  });
  it('filters on containers carrying the owner label', () => {
    expect(eventFilters()).toEqual({ type: ['container'], label: ['net.azure-devices.edge.owner=Microsoft.Azure.Devices.Edge.Agent'] });
  });
});

describe('logs', () => {
  it('passes since/until only when given', () => {
    expect(dockerLogOptions({ follow: false, tail: 'all', timestamps: true })).toEqual({
      follow: false,
      stdout: true,
      stderr: true,
      tail: 'all',
      timestamps: true,
    });
    expect(dockerLogOptions({ follow: true, tail: 5, timestamps: false, since: 10, until: 20 })).toMatchObject({ since: 10, until: 20 });
  });
  it('wraps a Buffer into a stream', async () => {
    const chunks: Buffer[] = [];
    for await (const c of asReadable(Buffer.from('abc'))) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('abc');
    const r = Readable.from([]);
    expect(asReadable(r)).toBe(r);
  });
});

describe('engine URI and errors', () => {
  it('accepts unix and http URIs', () => {
    expect(parseEngineUri('unix:///var/run/docker.sock')).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(parseEngineUri('http://127.0.0.1:2375')).toEqual({ host: '127.0.0.1', port: 2375 });
    expect(() => parseEngineUri('npipe://x')).toThrow(ConfigError);
  });
  it('maps an unreachable socket to UnavailableError naming it', () => {
    const e = toEdgeError(Object.assign(new Error('connect ENOENT'), { code: 'ENOENT' }), 'list modules', '/run/docker.sock');
    expect(e).toBeInstanceOf(UnavailableError);
    expect(e.message).toContain('/run/docker.sock');
    expect(e.hint).toMatch(/dockerd/);
  });
  it("keeps the engine's 404 as not found, without docker-modem's prefix", () => {
    const err = Object.assign(new Error('(HTTP code 404) no such container - No such container: x '), {
      statusCode: 404,
      json: { message: 'No such container: x' },
    });
    const e = toEdgeError(err, 'start module x', 's');
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toBe('Could not start module x: No such container: x');
  });
});
