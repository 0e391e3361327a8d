import { localModuleSpec, moduleIdOf } from '../../../src/identity/local-modules';
import type { ModuleSpec } from '../../../src/runtime/types';

const spec = (name: string, createOptions: Record<string, unknown> = {}, env: Record<string, string> = {}): ModuleSpec => ({
  name,
  type: 'docker',
  imagePullPolicy: 'on-create',
  env,
  config: { image: 'i:1', createOptions },
});
const facts = { socketDir: '/h/mnt/m', containerWorkloadSocket: '/var/run/iotedge/workload.sock', apiVersion: '2022-08-03' };
const identity = { hubHostname: 'hub.net', gatewayHostname: 'edge-host', deviceId: 'd1', generationId: 'g1' };

describe('what a local-deployment module gets', () => {
  it('as edgeAgent gives it: identity variables over the deployment env, and its socket directory read-only', () => {
    const out = localModuleSpec(spec('m', { HostConfig: { Binds: ['/data:/data'] } }, { IOTEDGE_DEVICEID: 'spoof', A: '1' }), { ...facts, identity });
    expect(out.env).toEqual({
      A: '1',
      IOTEDGE_WORKLOADURI: 'unix:///var/run/iotedge/workload.sock',
      IOTEDGE_MODULEID: 'm',
      IOTEDGE_APIVERSION: '2022-08-03',
      IOTEDGE_AUTHSCHEME: 'sasToken',
      IOTEDGE_MODULEGENERATIONID: 'g1',
      IOTEDGE_IOTHUBHOSTNAME: 'hub.net',
      IOTEDGE_DEVICEID: 'd1',
      IOTEDGE_GATEWAYHOSTNAME: 'edge-host',
    });
    expect(out.config.createOptions.HostConfig).toEqual({ Binds: ['/data:/data', '/h/mnt/m:/var/run/iotedge:ro'] });
  });

  it('edgeHub is $edgeHub and is told the device host name as EdgeDeviceHostName', () => {
    expect(moduleIdOf('edgeHub')).toBe('$edgeHub');
    const out = localModuleSpec(spec('edgeHub'), { ...facts, identity });
    expect(out.env).toMatchObject({ IOTEDGE_MODULEID: '$edgeHub', EdgeDeviceHostName: 'edge-host' });
    expect(out.env.IOTEDGE_GATEWAYHOSTNAME).toBeUndefined();
  });

  it('without an identity: the socket and the variables that need no IoT Hub', () => {
    const out = localModuleSpec(spec('m'), facts);
    expect(Object.keys(out.env).sort()).toEqual(['IOTEDGE_APIVERSION', 'IOTEDGE_MODULEID', 'IOTEDGE_WORKLOADURI']);
    expect(out.config.createOptions.HostConfig).toEqual({ Binds: ['/h/mnt/m:/var/run/iotedge:ro'] });
  });

  it('keeps a bind the deployment makes at the socket directory itself, and never edits the given spec', () => {
    const given = spec('m', { HostConfig: { Binds: ['/mine:/var/run/iotedge'] } });
    const out = localModuleSpec(given, facts);
    expect(out.config.createOptions.HostConfig).toEqual({ Binds: ['/mine:/var/run/iotedge'] });
    expect(given.env).toEqual({});
    const fresh = spec('m', { HostConfig: { Binds: ['/a:/a'] } });
    localModuleSpec(fresh, facts);
    expect(fresh.config.createOptions).toEqual({ HostConfig: { Binds: ['/a:/a'] } });
  });
});
