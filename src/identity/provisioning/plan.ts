/**
 * `[provisioning]` of the super-config, validated and resolved into what the provisioner needs:
 * a hub and device (manual) or a DPS registration, and the device's credentials. Secrets are read
 * here (inline values, key files) and never appear in an error message.
 */
import { X509Certificate } from 'node:crypto';
import type { DeviceConnectionString } from '../../config/connection-string';
import { ConfigError } from '../../errors';
import type { DpsProvisioning, ManualConnectionString, Provisioning, SuperConfig } from '../../config/types';
import { deriveGroupDeviceKey } from '../sas';
import { filePathOf, notSupported, readConfigFile, resolveSymmetricKey } from '../../config/secrets';

export type DeviceCredentials =
  | { type: 'sas'; key: Buffer }
  | { type: 'x509'; certPem: string; keyPem: string; certFile: string; keyFile: string };

export type ProvisioningPlan =
  | { source: 'manual'; hubHostname: string; deviceId: string; gatewayHostname: string; credentials: DeviceCredentials }
  | {
      source: 'dps';
      globalEndpoint: string;
      idScope: string;
      registrationId: string;
      credentials: DeviceCredentials;
      payload?: unknown;
    };

export type ConnectionString = DeviceConnectionString;

function requireString(v: unknown, setting: string): string {
  if (typeof v !== 'string' || v.trim() === '') {
    throw new ConfigError(`${setting} is missing`, { hint: `set ${setting} in config.toml` });
  }
  return v.trim();
}

export async function planProvisioning(config: Pick<SuperConfig, 'provisioning' | 'parent_hostname'>): Promise<ProvisioningPlan> {
  const p = config.provisioning as (Provisioning & Record<string, unknown>) | undefined;
  if (!p || typeof p !== 'object') {
    throw new ConfigError('[provisioning] is missing', {
      hint: 'set provisioning.source = "manual" with a connection string, or "dps" (or use [local_deployment])',
    });
  }
  const source = (p as { source?: unknown }).source;
  if (source === 'manual') return planManual(p, config.parent_hostname);
  if (source === 'dps') {
    if (config.parent_hostname) {
      throw new ConfigError('provisioning.source = "dps" cannot be used with parent_hostname', {
        hint: 'provision a nested device manually (as upstream)',
      });
    }
    return planDps(p as unknown as DpsProvisioning);
  }
  throw new ConfigError(`provisioning.source "${String(source)}" is not supported`, { hint: 'use "manual" or "dps"' });
}

async function planManual(p: Record<string, unknown>, parent?: string): Promise<ProvisioningPlan> {
  if (typeof p.connection_string === 'string') {
    // Parsed by the configuration (src/config/typed.ts), where the schema checked it.
    const cs = (p as unknown as ManualConnectionString).connection;
    const key = await resolveSymmetricKey({ value: cs.sharedAccessKey }, 'provisioning.connection_string SharedAccessKey');
    return {
      source: 'manual',
      hubHostname: cs.hostName,
      deviceId: cs.deviceId,
      gatewayHostname: parent ?? cs.gatewayHostName ?? cs.hostName,
      credentials: { type: 'sas', key },
    };
  }
  const hubHostname = requireString(p.iothub_hostname, 'provisioning.iothub_hostname');
  const deviceId = requireString(p.device_id, 'provisioning.device_id');
  const auth = (p.authentication ?? {}) as Record<string, unknown>;
  const gatewayHostname = parent ?? hubHostname;
  if (auth.method === 'sas') {
    const key = await resolveSymmetricKey(auth.device_id_pk as never, 'provisioning.authentication.device_id_pk');
    return { source: 'manual', hubHostname, deviceId, gatewayHostname, credentials: { type: 'sas', key } };
  }
  if (auth.method === 'x509') {
    return { source: 'manual', hubHostname, deviceId, gatewayHostname, credentials: await x509Credentials(auth, 'provisioning.authentication') };
  }
  throw new ConfigError(`provisioning.authentication.method "${String(auth.method)}" is not supported`, {
    hint: 'use "sas" or "x509", or provisioning.connection_string',
  });
}

async function planDps(p: DpsProvisioning): Promise<ProvisioningPlan> {
  const globalEndpoint = requireString(p.global_endpoint, 'provisioning.global_endpoint');
  try {
    new URL(globalEndpoint);
  } catch {
    throw new ConfigError(`provisioning.global_endpoint "${globalEndpoint}" is not a URL`, {
      hint: 'use https://global.azure-devices-provisioning.net',
    });
  }
  const idScope = requireString(p.id_scope, 'provisioning.id_scope');
  const a = (p.attestation ?? {}) as unknown as Record<string, unknown>;
  const payload = p.payload?.uri ? parsePayload(await readConfigFile(p.payload.uri, 'provisioning.payload.uri')) : undefined;
  if (a.method === 'symmetric_key') {
    const registrationId = requireString(a.registration_id, 'provisioning.attestation.registration_id');
    const ref = a.symmetric_key as Record<string, unknown> | undefined;
    let key = await resolveSymmetricKey(ref as never, 'provisioning.attestation.symmetric_key');
    // A group enrollment's key: the device key is derived from it (upstream leaves this to the user).
    if (a.group_key === true || ref?.group_key === true) {
      key = Buffer.from(deriveGroupDeviceKey(key.toString('base64'), registrationId), 'base64');
    }
    return { source: 'dps', globalEndpoint, idScope, registrationId, credentials: { type: 'sas', key }, payload };
  }
  if (a.method === 'x509') {
    const credentials = await x509Credentials(a, 'provisioning.attestation');
    const registrationId =
      typeof a.registration_id === 'string' && a.registration_id.trim() ? a.registration_id.trim() : commonNameOf(credentials);
    return { source: 'dps', globalEndpoint, idScope, registrationId, credentials, payload };
  }
  if (a.method === 'tpm') throw notSupported('TPM attestation', 'provisioning.attestation.method');
  throw new ConfigError(`provisioning.attestation.method "${String(a.method)}" is not supported`, {
    hint: 'use "symmetric_key" or "x509"',
  });
}

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError('provisioning.payload.uri does not hold valid JSON', { hint: 'fix the JSON of the DPS payload file', cause: e });
  }
}

async function x509Credentials(section: Record<string, unknown>, prefix: string): Promise<DeviceCredentials> {
  const certUri = requireString(section.identity_cert, `${prefix}.identity_cert`);
  const keyUri = requireString(section.identity_pk, `${prefix}.identity_pk`);
  const certFile = filePathOf(certUri, `${prefix}.identity_cert`);
  const keyFile = filePathOf(keyUri, `${prefix}.identity_pk`);
  const certPem = await readConfigFile(certUri, `${prefix}.identity_cert`);
  const keyPem = await readConfigFile(keyUri, `${prefix}.identity_pk`);
  if (!certPem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`${prefix}.identity_cert (${certFile}) holds no PEM certificate`, { hint: 'give the device identity certificate in PEM' });
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyPem)) {
    throw new ConfigError(`${prefix}.identity_pk (${keyFile}) holds no PEM private key`, { hint: 'give the identity certificate\'s private key in PEM' });
  }
  return { type: 'x509', certPem, keyPem, certFile, keyFile };
}

function commonNameOf(credentials: DeviceCredentials): string {
  if (credentials.type !== 'x509') throw new Error('unreachable');
  const subject = new X509Certificate(credentials.certPem).subject;
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(subject)?.[1];
  if (!cn) {
    throw new ConfigError('provisioning.attestation.registration_id is missing and the identity certificate has no CN', {
      hint: 'set provisioning.attestation.registration_id',
    });
  }
  return cn;
}
