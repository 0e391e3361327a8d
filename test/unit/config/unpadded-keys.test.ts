/**
 * Symmetric keys without "=" padding (upstream's *-no-pad config cases): accepted wherever a key
 * is written, decoded to the same bytes as the padded form; what is not base64 is still refused.
 */
import { parseSuperConfig } from '../../../src/config/load';
import { planProvisioning } from '../../../src/identity/provisioning/plan';
import { parseOldConfig } from '../../../src/config/import/old-config';
import { translateOldConfig } from '../../../src/config/import/translate';

const home = '/var/lib/edged';
const KEY = Buffer.from('0123456789abcdef0123456789abcde'); // 31 bytes: one "=" of padding
const PADDED = KEY.toString('base64');
const UNPADDED = PADDED.replace(/=+$/, '');

const manualSas = (k: string) =>
  `[provisioning]\nsource = "manual"\niothub_hostname = "h.azure-devices.net"\ndevice_id = "d1"\n` +
  `[provisioning.authentication]\nmethod = "sas"\ndevice_id_pk = { value = "${k}" }\n`;
const manualCs = (k: string) =>
  `[provisioning]\nsource = "manual"\nconnection_string = "HostName=h.azure-devices.net;DeviceId=d1;SharedAccessKey=${k}"\n`;
const dps = (k: string) =>
  `[provisioning]\nsource = "dps"\nglobal_endpoint = "https://global.azure-devices-provisioning.net/"\nid_scope = "0ne1"\n` +
  `[provisioning.attestation]\nmethod = "symmetric_key"\nregistration_id = "r1"\nsymmetric_key = { value = "${k}" }\n`;

describe('unpadded symmetric keys', () => {
  it.each([
    ['provisioning.authentication.device_id_pk.value', manualSas],
    ['connection_string SharedAccessKey', manualCs],
    ['provisioning.attestation.symmetric_key.value', dps],
  ])('%s: both forms load and give the same key', async (_where, render) => {
    expect(UNPADDED).not.toBe(PADDED);
    const keys = [];
    for (const k of [PADDED, UNPADDED]) {
      const config = parseSuperConfig(render(k), { home });
      const plan = await planProvisioning(config);
      keys.push((plan.credentials as { key: Buffer }).key);
    }
    expect(keys[0]).toEqual(KEY);
    expect(keys[1]).toEqual(KEY);
  });

  it.each([manualSas, manualCs, dps])('still refuses a key that is not base64, without echoing it', (render) => {
    for (const bad of ['not*base64', 'abcde', `${UNPADDED}===`]) {
      let message = '';
      try {
        parseSuperConfig(render(bad), { home });
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(/base64/);
      expect(message).not.toContain(bad);
    }
  });

  it('iotedge config import carries an unpadded 1.1 key over, padded', () => {
    const yaml = `provisioning:\n  source: dps\n  global_endpoint: https://g.net/\n  scope_id: s\n  attestation:\n    method: symmetric_key\n    registration_id: r\n    symmetric_key: ${UNPADDED}\n`;
    const out = translateOldConfig(parseOldConfig(yaml, 'config.yaml'), 'config.yaml') as { provisioning: { attestation: { symmetric_key: { value: string } } } };
    expect(out.provisioning.attestation.symmetric_key.value).toBe(PADDED);
  });
});
