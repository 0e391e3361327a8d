/** createOptions fields of the wrong type are manifest errors naming the field; the rest passes through. */
import { DeploymentError } from '../../../src/agent/manifest/errors';
import { parseDeployment } from '../../../src/agent/manifest/parse';

const withCreateOptions = (createOptions: unknown) => ({
  deploymentConfig: { schemaVersion: '1.1', modules: { m1: { settings: { image: 'a:1', createOptions: typeof createOptions === 'string' ? createOptions : JSON.stringify(createOptions) } } } },
});
const fieldOf = (createOptions: unknown): string | undefined => {
  try {
    parseDeployment(withCreateOptions(createOptions));
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(DeploymentError);
    expect((e as Error).message).not.toContain('\n');
    return (e as DeploymentError).field;
  }
};
const F = 'modules.m1.settings.createOptions';

describe('createOptions shapes', () => {
  it.each([
    [{ HostConfig: { Binds: 12 } }, `${F}.HostConfig.Binds`],
    [{ HostConfig: { Binds: ['/a:/b', 3] } }, `${F}.HostConfig.Binds`],
    [{ HostConfig: 'privileged' }, `${F}.HostConfig`],
    [{ HostConfig: { Privileged: 'true' } }, `${F}.HostConfig.Privileged`],
    [{ HostConfig: { PortBindings: { '80/tcp': { HostPort: '8080' } } } }, `${F}.HostConfig.PortBindings.80/tcp`],
    [{ HostConfig: { PortBindings: { '80/tcp': [{ HostPort: 8080 }] } } }, `${F}.HostConfig.PortBindings.80/tcp[0].HostPort`],
    [{ HostConfig: { Memory: '512m' } }, `${F}.HostConfig.Memory`],
    [{ HostConfig: { Memory: 1.5 } }, `${F}.HostConfig.Memory`],
    [{ HostConfig: { Mounts: [{ Type: 'bind', ReadOnly: 'yes' }] } }, `${F}.HostConfig.Mounts[0].ReadOnly`],
    [{ HostConfig: { RestartPolicy: { MaximumRetryCount: '3' } } }, `${F}.HostConfig.RestartPolicy.MaximumRetryCount`],
    [{ HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': 10 } } } }, `${F}.HostConfig.LogConfig.Config.max-size`],
    [{ Env: 'A=1' }, `${F}.Env`],
    [{ Cmd: [1] }, `${F}.Cmd`],
    [{ Labels: { a: 1 } }, `${F}.Labels.a`],
    [{ ExposedPorts: ['80/tcp'] }, `${F}.ExposedPorts`],
    [{ NetworkingConfig: { EndpointsConfig: { net: 'x' } } }, `${F}.NetworkingConfig.EndpointsConfig.net`],
  ])('%j is refused at %s', (options, field) => {
    expect(fieldOf(options)).toBe(field);
  });

  it('the message says what was expected and what was found', () => {
    expect(() => parseDeployment(withCreateOptions({ HostConfig: { Binds: 12 } }))).toThrow(`${F}.HostConfig.Binds: must be a list of strings, not 12`);
  });

  it.each([
    [{}],
    [{ Cmd: 'run', Entrypoint: ['/bin/sh', '-c'], Env: ['A=1'], Labels: { a: 'b' }, ExposedPorts: { '80/tcp': {} } }],
    [{ HostConfig: { Binds: ['/a:/b'], PortBindings: { '80/tcp': [{ HostPort: '8080' }] }, Privileged: true, Memory: 536870912, Devices: [{ PathOnHost: '/dev/x', PathInContainer: '/dev/x', CgroupPermissions: 'rwm' }] } }],
    [{ HostConfig: { Binds: null, LogConfig: null }, Env: null }],
    [{ Unknown: 12, HostConfig: { Unknown: 'x' } }],
    [{ Healthcheck: { Test: ['CMD', 'true'], Interval: 1000000000, Retries: 3 } }],
  ])('%j passes', (options) => {
    expect(fieldOf(options)).toBeUndefined();
  });

  it('also checks createOptions written as an object by hand', () => {
    const doc = { deploymentConfig: { schemaVersion: '1.1', modules: { m1: { settings: { image: 'a:1', createOptions: { HostConfig: { Binds: 12 } } } } } } };
    expect(() => parseDeployment(doc)).toThrow(`${F}.HostConfig.Binds: must be a list of strings`);
  });
});
