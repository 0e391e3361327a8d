import { buildCreateBody, mergeEnv, parseEnv } from '../../../src/runtime/docker/create-body';
import { ModuleSpec, OWNER_LABEL, OWNER_VALUE, ORIGINAL_IMAGE_LABEL } from '../../../src/runtime/types';

function spec(createOptions: Record<string, unknown>, env: Record<string, string> = {}): ModuleSpec {
  return { name: 'm', type: 'docker', config: { image: 'reg.example/m:1', createOptions }, env, imagePullPolicy: 'on-create' };
}

describe('env merge', () => {
  it('lets createOptions.Env win over the deployment env for the same name', () => {
    expect(mergeEnv({ A: 'spec', B: 'spec' }, ['B=create', 'C=create'])).toEqual(['A=spec', 'B=create', 'C=create']);
  });

  it('keeps values with = and bare names', () => {
    expect(parseEnv(['X=a=b', 'Y', 'Z=', '=bad'])).toEqual({ X: 'a=b', Y: '', Z: '' });
  });

  it('handles missing lists', () => {
    expect(mergeEnv({ A: '1' }, undefined)).toEqual(['A=1']);
    expect(parseEnv(null)).toEqual({});
  });
});

describe('buildCreateBody', () => {
  it('adds the image, owner and original-image labels, keeping createOptions labels', () => {
    const body = buildCreateBody(spec({ Image: 'ignored', Labels: { mine: 'yes', [OWNER_LABEL]: 'someone' }, Cmd: ['x'] }), 'net');
    expect(body.Image).toBe('reg.example/m:1');
    expect(body.Cmd).toEqual(['x']);
    expect(body.Labels).toEqual({ mine: 'yes', [OWNER_LABEL]: OWNER_VALUE, [ORIGINAL_IMAGE_LABEL]: 'reg.example/m:1' });
  });

  it('joins the module network by default', () => {
    const body = buildCreateBody(spec({ HostConfig: { Binds: ['/a:/b'] } }), 'azure-iot-edge');
    expect(body.HostConfig).toEqual({ Binds: ['/a:/b'], NetworkMode: 'azure-iot-edge' });
    expect(body.NetworkingConfig).toEqual({ EndpointsConfig: { 'azure-iot-edge': {} } });
  });

  it('keeps a network mode or endpoints that createOptions sets', () => {
    const host = buildCreateBody(spec({ HostConfig: { NetworkMode: 'host' } }), 'azure-iot-edge');
    expect(host.HostConfig?.NetworkMode).toBe('host');
    expect(host.NetworkingConfig).toBeUndefined();
    const endpoints = { EndpointsConfig: { 'azure-iot-edge': { Aliases: ['hub'] } } };
    const own = buildCreateBody(spec({ NetworkingConfig: endpoints }), 'azure-iot-edge');
    expect(own.NetworkingConfig).toEqual(endpoints);
  });

  it('merges the env and does not mutate the spec', () => {
    const s = spec({ Env: ['B=create'] }, { A: '1', B: 'spec' });
    const before = JSON.stringify(s);
    expect(buildCreateBody(s, 'n').Env).toEqual(['A=1', 'B=create']);
    expect(JSON.stringify(s)).toBe(before);
  });
});

describe('elevated docker permissions (allow_elevated_docker_permissions)', () => {
  it('leaves privileges alone when allowed (the default)', () => {
    const body = buildCreateBody(spec({ HostConfig: { Privileged: true, CapAdd: ['NET_ADMIN'] } }), 'n');
    expect(body.HostConfig).toMatchObject({ Privileged: true, CapAdd: ['NET_ADMIN'] });
    expect(body.HostConfig?.CapDrop).toBeUndefined();
  });

  it('removes Privileged and CapAdd, says what it removed, and drops the unsafe default caps when disallowed', () => {
    const told: string[] = [];
    const body = buildCreateBody(spec({ HostConfig: { Privileged: true, CapAdd: ['CAP_CHOWN'], CapDrop: ['NET_RAW'] } }), 'n', {
      allowElevatedDockerPermissions: false,
      onPrivilegesRemoved: (m) => told.push(m),
    });
    expect(body.HostConfig?.Privileged).toBe(false);
    expect(body.HostConfig?.CapAdd).toBeUndefined();
    expect(body.HostConfig?.CapDrop).toEqual(['CHOWN', 'SETUID', 'NET_RAW']);
    expect(told).toEqual([expect.stringContaining('removed HostConfig.Privileged=true, HostConfig.CapAdd=["CAP_CHOWN"]')]);
  });

  it('removes them in any letter case, under a HostConfig key in any case, and at the top level Docker still reads', () => {
    const told: string[] = [];
    const body = buildCreateBody(
      spec({ hostconfig: { privileged: true, Binds: ['/a:/a'] }, HOSTCONFIG: { capAdd: ['SYS_ADMIN'], CAPADD: ['NET_ADMIN'], capdrop: ['MKNOD'] }, Privileged: true, capadd: ['ALL'] }),
      'n',
      { allowElevatedDockerPermissions: false, onPrivilegesRemoved: (m) => told.push(m) },
    );
    expect(Object.keys(body).filter((k) => /^(hostconfig|privileged|capadd)$/i.test(k))).toEqual(['HostConfig']);
    expect(body.HostConfig).toEqual({ Binds: ['/a:/a'], Privileged: false, CapDrop: ['CHOWN', 'SETUID', 'MKNOD'], NetworkMode: 'n' });
    expect(told).toHaveLength(1);
    for (const k of ['Privileged=true', 'capadd=["ALL"]', 'HostConfig.privileged=true', 'HostConfig.capAdd=["SYS_ADMIN"]', 'HostConfig.CAPADD=["NET_ADMIN"]']) expect(told[0]).toContain(k);
  });

  it('says nothing when nothing elevated was asked for, and drops the unsafe default caps even without a HostConfig', () => {
    const told: string[] = [];
    const body = buildCreateBody(spec({}), 'n', { allowElevatedDockerPermissions: false, onPrivilegesRemoved: (m) => told.push(m) });
    expect(body.HostConfig).toEqual({ Privileged: false, CapDrop: ['CHOWN', 'SETUID'], NetworkMode: 'n' });
    expect(told).toEqual([]);
  });

  it('merges HostConfig keys in other letter case into HostConfig even when allowed (Docker reads them as one)', () => {
    const body = buildCreateBody(spec({ hostConfig: { NetworkMode: 'host' } }), 'n');
    expect(body.HostConfig).toEqual({ NetworkMode: 'host' });
    expect(body.NetworkingConfig).toBeUndefined();
  });
});
