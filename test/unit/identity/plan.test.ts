import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError } from '../../../src/errors';
import { planProvisioning } from '../../../src/identity/provisioning/plan';
import { parseSuperConfig } from '../../../src/config/load';
import { deriveGroupDeviceKey } from '../../../src/identity/sas';
import { manualProvisioning } from '../../helpers/config';

const KEY = Buffer.from('device-key-0123456789').toString('base64');

describe('provisioning plan', () => {
  let dir: string;
  beforeAll(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'plan-'))));
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));

  it('reads a device connection string', async () => {
    const plan = await planProvisioning({
      provisioning: manualProvisioning(`HostName=h.azure-devices.net;DeviceId=d1;SharedAccessKey=${KEY}`),
    });
    expect(plan).toMatchObject({ source: 'manual', hubHostname: 'h.azure-devices.net', deviceId: 'd1', gatewayHostname: 'h.azure-devices.net' });
    expect(plan.credentials).toEqual({ type: 'sas', key: Buffer.from(KEY, 'base64') });
  });

  it('is given the connection string parsed: the configuration refuses a module one and never echoes the key', () => {
    const parse = (cs: string) => () => parseSuperConfig(`[provisioning]\nsource = "manual"\nconnection_string = "${cs}"\n`, { home: dir });
    expect(parse(`HostName=h;DeviceId=d;ModuleId=m;SharedAccessKey=${KEY}`)).toThrow(ConfigError);
    expect(parse(`HostName=h;DeviceId=d;ModuleId=m;SharedAccessKey=${KEY}`)).not.toThrow(KEY);
    expect(parse('HostName=h;DeviceId=d')).toThrow(/no SharedAccessKey/);
  });

  it('reads device_id_pk from a file URI; the parent is the gateway', async () => {
    const file = path.join(dir, 'device-id');
    await fs.writeFile(file, Buffer.from(KEY, 'base64'));
    const plan = await planProvisioning({
      parent_hostname: 'parent.local',
      provisioning: {
        source: 'manual',
        iothub_hostname: 'h',
        device_id: 'd',
        authentication: { method: 'sas', device_id_pk: { uri: `file://${file}` } },
      },
    });
    expect(plan).toMatchObject({ gatewayHostname: 'parent.local', credentials: { type: 'sas', key: Buffer.from(KEY, 'base64') } });
  });

  it('derives the device key of a DPS group enrollment', async () => {
    const plan = await planProvisioning({
      provisioning: {
        source: 'dps',
        global_endpoint: 'https://global.azure-devices-provisioning.net',
        id_scope: '0ne1',
        attestation: { method: 'symmetric_key', registration_id: 'r1', symmetric_key: { value: KEY }, group_key: true },
      },
    });
    expect(plan.credentials).toEqual({ type: 'sas', key: Buffer.from(deriveGroupDeviceKey(KEY, 'r1'), 'base64') });
  });

  it.each([
    [{ source: 'dps', global_endpoint: 'https://g', id_scope: 's', attestation: { method: 'tpm', registration_id: 'r' } }, /TPM attestation is not supported by this appliance/],
    [
      { source: 'manual', iothub_hostname: 'h', device_id: 'd', authentication: { method: 'sas', device_id_pk: { uri: 'pkcs11:object=k' } } },
      /PKCS#11 is not supported by this appliance/,
    ],
    [
      { source: 'manual', iothub_hostname: 'h', device_id: 'd', authentication: { method: 'x509', identity_cert: 'file:///c', identity_pk: 'pkcs11:x' } },
      /PKCS#11 is not supported/,
    ],
    [{ source: 'manual', device_id: 'd', authentication: { method: 'sas', device_id_pk: { value: KEY } } }, /iothub_hostname is missing/],
    [{ source: 'manual', iothub_hostname: 'h', device_id: 'd', authentication: { method: 'sas', device_id_pk: { value: '!!' } } }, /not valid base64/],
  ])('refuses %j with a ConfigError', async (provisioning, message) => {
    const err = await planProvisioning({ provisioning: provisioning as never }).catch((e) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toMatch(message);
    expect(err.exitCode).toBe(153);
  });
});
