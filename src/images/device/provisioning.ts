/**
 * A DeviceSpec as the snap's provisioning file: snap option values (a connection string, or a
 * raw config.toml for DPS and X.509), the files that config names, and the deployment. The
 * generated config.toml is checked with the appliance's own schema before it is written.
 */
import { assertValid, parseSources } from '../../config/parse';
import { toToml } from '../../config/serialize';
import { PROVISIONED_DIR, SNAP_COMMON_ON_DEVICE, type ProvisioningFile } from '../../config/provisioning-file';
import type { DeviceSpec, Identity } from './spec';

const onDevice = (name: string) => `file://${SNAP_COMMON_ON_DEVICE}/${PROVISIONED_DIR}/${name}`;

function rawConfig(identity: Exclude<Identity, { kind: 'connection-string' }>): { toml: string; files: Record<string, string> } {
  const doc =
    identity.kind === 'dps'
      ? {
          provisioning: {
            source: 'dps',
            global_endpoint: identity.globalEndpoint,
            id_scope: identity.idScope,
            attestation: { method: 'symmetric_key', registration_id: identity.registrationId, symmetric_key: { value: identity.deviceKey } },
          },
        }
      : {
          provisioning: {
            source: 'manual',
            iothub_hostname: identity.iothubHostname,
            device_id: identity.deviceId,
            authentication: { method: 'x509', identity_cert: onDevice('identity.cert.pem'), identity_pk: onDevice('identity.key.pem') },
          },
        };
  const toml = toToml({ auto_reprovisioning_mode: 'OnErrorOnly', ...doc }, 'Written by azure-iot-edge-image for this device.');
  assertValid(parseSources([{ file: '(generated configuration)', text: toml }]));
  const files: Record<string, string> = identity.kind === 'x509' ? { 'identity.cert.pem': identity.certPem, 'identity.key.pem': identity.keyPem } : {};
  return { toml, files };
}

export function provisioningFileFor(spec: DeviceSpec): ProvisioningFile {
  const out: ProvisioningFile = { format: 1, options: {}, files: {} };
  const id = spec.identity;
  if (id?.kind === 'connection-string') out.options['connection-string'] = id.connectionString;
  else if (id) {
    const { toml, files } = rawConfig(id);
    out.options['raw-config'] = toml;
    out.files = files;
  }
  if (spec.hostname) out.options.hostname = spec.hostname;
  if (spec.deployment) out.deployment = spec.deployment;
  return out;
}
