import { parseUnixUri, unixSocketPath } from '../../../src/util/unix-uri';
import { socketPathOf } from '../../../src/api/http/unix-listener';
import { parseHost } from '../../../src/api/management/client/endpoint';
import { parseEngineUri } from '../../../src/runtime/docker/client';
import { BadRequestError, ConfigError } from '../../../src/errors';

describe('parseUnixUri: the one reading of unix:// URIs', () => {
  it('gives the absolute socket path, percent-decoded', () => {
    expect(parseUnixUri('unix:///var/run/iotedge/mgmt.sock')).toEqual({ path: '/var/run/iotedge/mgmt.sock' });
    expect(parseUnixUri('unix:///tmp/a%20b/mgmt.sock')).toEqual({ path: '/tmp/a b/mgmt.sock' });
  });

  it('is not concerned with other schemes', () => {
    expect(parseUnixUri('http://127.0.0.1:2375')).toBeUndefined();
    expect(parseUnixUri('/var/run/docker.sock')).toBeUndefined();
    expect(unixSocketPath(undefined)).toBeUndefined();
  });

  it.each([
    ['unix://relative/mgmt.sock', 'is not an absolute path'],
    ['unix://', 'is not an absolute path'],
    ['unix:///tmp/%ZZ', 'has a malformed %-escape'],
    ['unix:///tmp/%E0%A4%A', 'has a malformed %-escape'],
    ['unix:///tmp/a%00/../../etc', 'contains a NUL character'],
  ])('names what is wrong with %s', (uri, problem) => {
    expect(parseUnixUri(uri)).toEqual({ problem });
    expect(unixSocketPath(uri)).toBeUndefined();
  });

  it('is what the listener, the CLI and the engine client all read', () => {
    const uri = 'unix:///run/x%2Fy/s.sock';
    expect(socketPathOf(uri)).toBe('/run/x/y/s.sock');
    expect(parseHost(uri)).toMatchObject({ kind: 'unix', socketPath: '/run/x/y/s.sock' });
    expect(parseEngineUri(uri)).toEqual({ socketPath: '/run/x/y/s.sock' });
    for (const bad of ['unix:///tmp/%ZZ', 'unix://rel', 'unix:///a%00b']) {
      expect(() => socketPathOf(bad)).toThrow(ConfigError);
      expect(() => parseHost(bad)).toThrow(BadRequestError);
      expect(() => parseEngineUri(bad)).toThrow(ConfigError);
    }
  });
});
