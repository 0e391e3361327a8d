/**
 * 1.1 `config.yaml` -> super-config, every mapping upstream's `iotedge config import` makes
 * (Azure/iotedge edgelet/iotedge/src/config/import): provisioning variants and reprovisioning
 * flags, certificates to [edge_ca] and trust_bundle_cert, agent, connect, listen (1.1 socket
 * units renamed to aziot-edged's), watchdog, moby_runtime, and the imported master encryption
 * key. Pure: facts from the disk (is there an old master key?) are passed in.
 */
import { ConfigError } from '../../errors';
import { parseDeviceConnectionString } from '../connection-string';
import { OldReader, type OldConfig } from './old-config';

/** Where libiothsm kept the 1.1 master encryption key (its name is derived from a fixed alias). */
export const OLD_MASTER_ENCRYPTION_KEY = 'hsm/enc_keys/edgelet-masterWt5mT2xpO72EPKlt2Tt0Sq4uJCrMvfl2rzzKRB3pnyo_.enc.key';

const SOCKET_UNITS: Record<string, string> = {
  'iotedge.mgmt.socket': 'fd://aziot-edged.mgmt.socket',
  'iotedge.socket': 'fd://aziot-edged.workload.socket',
};

export interface ImportFacts {
  /** Path of the old master encryption key if it exists on this machine. */
  oldMasterEncryptionKey?: string;
}

type Table = Record<string, unknown>;

export function translateOldConfig(old: OldConfig, file: string, facts: ImportFacts = {}): Table {
  const r = new OldReader(file);
  const { provisioning, mode } = translateProvisioning(r, r.table(old.provisioning, 'provisioning'));
  const { edgeCa, trustBundle } = translateCertificates(r, r.optTable(old.certificates, 'certificates'));
  const out: Table = {};
  if (trustBundle) out.trust_bundle_cert = trustBundle;
  out.auto_reprovisioning_mode = mode;
  if (facts.oldMasterEncryptionKey) out.imported_master_encryption_key = facts.oldMasterEncryptionKey;
  out.hostname = r.string(old.hostname, 'hostname');
  const parent = r.optString(old.parent_hostname, 'parent_hostname');
  if (parent) out.parent_hostname = parent;
  out.prefer_module_identity_cache = false;
  out.provisioning = provisioning;
  out.aziot_keys = {};
  out.preloaded_keys = {};
  out.cert_issuance = {};
  out.preloaded_certs = {};
  out.tpm = {};
  out.agent = translateAgent(r, r.table(old.agent, 'agent'));
  const connect = r.table(old.connect, 'connect');
  out.connect = { workload_uri: r.url(connect.workload_uri, 'connect.workload_uri'), management_uri: r.url(connect.management_uri, 'connect.management_uri') };
  out.listen = translateListen(r, r.table(old.listen, 'listen'));
  out.watchdog = { max_retries: translateRetries(r, r.optTable(old.watchdog, 'watchdog')?.max_retries) };
  if (edgeCa) out.edge_ca = edgeCa;
  out.moby_runtime = translateMoby(r, r.table(old.moby_runtime, 'moby_runtime'));
  return out;
}

function translateProvisioning(r: OldReader, p: Table): { provisioning: Table; mode: string } {
  const dynamic = r.bool(p.dynamic_reprovisioning, 'provisioning.dynamic_reprovisioning');
  let onStartup = false;
  let provisioning: Table;
  const source = r.string(p.source, 'provisioning.source');
  if (source === 'manual') {
    provisioning = translateManual(r, p);
  } else if (source === 'dps') {
    onStartup = r.bool(p.always_reprovision_on_startup, 'provisioning.always_reprovision_on_startup');
    provisioning = translateDps(r, p);
  } else if (source === 'external') {
    throw new ConfigError(`could not import ${r.file}: external provisioning is not supported`, { hint: 'configure manual or DPS provisioning in the new config.toml' });
  } else {
    return r.fail('provisioning.source', 'expected "manual", "dps" or "external"');
  }
  // Upstream: dynamic reprovisioning wins over reprovisioning on every start.
  const mode = dynamic ? 'Dynamic' : onStartup ? 'AlwaysOnStartup' : 'OnErrorOnly';
  return { provisioning, mode };
}

function translateManual(r: OldReader, p: Table): Table {
  const auth = r.optTable(p.authentication, 'provisioning.authentication');
  if (p.device_connection_string !== undefined && auth) r.fail('provisioning', 'set only one of device_connection_string or authentication');
  let connectionString: unknown = p.device_connection_string;
  if (auth) {
    const method = r.string(auth.method, 'provisioning.authentication.method');
    if (method === 'x509') {
      return {
        source: 'manual',
        iothub_hostname: r.string(auth.iothub_hostname, 'provisioning.authentication.iothub_hostname'),
        device_id: r.string(auth.device_id, 'provisioning.authentication.device_id'),
        authentication: {
          method: 'x509',
          identity_cert: r.url(auth.identity_cert, 'provisioning.authentication.identity_cert'),
          identity_pk: keyLocation(r, auth.identity_pk, 'provisioning.authentication.identity_pk'),
        },
      };
    }
    if (method !== 'device_connection_string') r.fail('provisioning.authentication.method', 'expected "device_connection_string" or "x509"');
    connectionString = auth.device_connection_string;
  }
  if (connectionString === undefined) r.fail('provisioning', 'set one of device_connection_string or authentication');
  const parsed = parseDeviceConnectionString(r.string(connectionString, 'provisioning.device_connection_string'));
  if (!parsed.ok) r.fail('provisioning.device_connection_string', parsed.problem);
  return {
    source: 'manual',
    iothub_hostname: parsed.value.hostName,
    device_id: parsed.value.deviceId,
    authentication: { method: 'sas', device_id_pk: { value: Buffer.from(parsed.value.sharedAccessKey, 'base64').toString('base64') } },
  };
}

function translateDps(r: OldReader, p: Table): Table {
  const global_endpoint = r.url(p.global_endpoint, 'provisioning.global_endpoint');
  const id_scope = r.string(p.scope_id, 'provisioning.scope_id');
  const att = r.optTable(p.attestation, 'provisioning.attestation');
  let attestation: Table;
  if (att && p.registration_id !== undefined) r.fail('provisioning.registration_id', 'set registration_id only in attestation');
  if (!att) {
    // 1.1 without an attestation block: TPM, with the registration id at the top.
    attestation = { method: 'tpm', registration_id: r.string(p.registration_id, 'provisioning.registration_id') };
  } else {
    const method = r.string(att.method, 'provisioning.attestation.method');
    const key = (k: string) => `provisioning.attestation.${k}`;
    if (method === 'tpm') attestation = { method: 'tpm', registration_id: r.string(att.registration_id, key('registration_id')) };
    else if (method === 'symmetric_key')
      attestation = {
        method: 'symmetric_key',
        registration_id: r.string(att.registration_id, key('registration_id')),
        symmetric_key: { value: r.base64(att.symmetric_key, key('symmetric_key')) },
      };
    else if (method === 'x509') {
      attestation = { method: 'x509' };
      const registrationId = r.optString(att.registration_id, key('registration_id'));
      if (registrationId) attestation.registration_id = registrationId;
      attestation.identity_cert = r.url(att.identity_cert, key('identity_cert'));
      attestation.identity_pk = keyLocation(r, att.identity_pk, key('identity_pk'));
    } else return r.fail(key('method'), 'expected "tpm", "symmetric_key" or "x509"');
  }
  return { source: 'dps', global_endpoint, id_scope, attestation };
}

function keyLocation(r: OldReader, v: unknown, key: string): string {
  const s = r.url(v, key);
  if (!s.startsWith('file://') && !s.startsWith('pkcs11:')) r.fail(key, 'expected a file:// URI');
  return s;
}

function translateCertificates(r: OldReader, c: Table | undefined): { edgeCa?: Table; trustBundle?: string } {
  if (!c) return {};
  const has = (k: string) => c[k] !== undefined && c[k] !== null;
  if (has('device_ca_cert') && has('device_ca_pk') && has('trusted_ca_certs')) {
    return {
      edgeCa: { cert: r.fileUri(c.device_ca_cert, 'certificates.device_ca_cert'), pk: r.fileUri(c.device_ca_pk, 'certificates.device_ca_pk') },
      trustBundle: r.fileUri(c.trusted_ca_certs, 'certificates.trusted_ca_certs'),
    };
  }
  const days = Number(c.auto_generated_ca_lifetime_days ?? 90);
  if (!Number.isInteger(days) || days < 1 || days > 65535) r.fail('certificates.auto_generated_ca_lifetime_days', 'expected a whole number of days (1-65535)');
  return { edgeCa: { auto_generated_edge_ca_expiry_days: days } };
}

function translateAgent(r: OldReader, a: Table): Table {
  const config = r.table(a.config, 'agent.config');
  const policy = a.imagePullPolicy === undefined ? 'on-create' : r.string(a.imagePullPolicy, 'agent.imagePullPolicy');
  if (policy !== 'on-create' && policy !== 'never') r.fail('agent.imagePullPolicy', 'expected "on-create" or "never"');
  let createOptions: unknown = config.createOptions ?? {};
  if (typeof createOptions === 'string') {
    try {
      createOptions = JSON.parse(createOptions);
    } catch {
      r.fail('agent.config.createOptions', 'expected a mapping (or a JSON object)');
    }
  }
  const newConfig: Table = { image: r.string(config.image, 'agent.config.image') };
  const imageHash = r.optString(config.imageHash, 'agent.config.imageHash');
  if (imageHash) newConfig.imageHash = imageHash;
  newConfig.createOptions = r.table(createOptions, 'agent.config.createOptions');
  const digest = r.optString(config.digest, 'agent.config.digest');
  if (digest) newConfig.digest = digest;
  newConfig.auth = r.optTable(config.auth, 'agent.config.auth') ?? {};
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.optTable(a.env, 'agent.env') ?? {})) env[k] = r.string(v, `agent.env.${k}`);
  return { name: r.string(a.name, 'agent.name'), type: r.string(a.type, 'agent.type'), imagePullPolicy: policy, config: newConfig, env };
}

function translateListen(r: OldReader, l: Table): Table {
  const map = (key: string) => {
    const uri = r.url(l[key], `listen.${key}`);
    if (!uri.startsWith('fd://')) return uri;
    const unit = new URL(uri).host;
    const mapped = SOCKET_UNITS[unit];
    if (!mapped) r.fail(`listen.${key}`, `unexpected socket unit "${unit}"; 1.1 used fd://iotedge.mgmt.socket and fd://iotedge.socket`);
    return mapped;
  };
  const out: Table = { workload_uri: map('workload_uri'), management_uri: map('management_uri') };
  const tls = l.min_tls_version === undefined ? undefined : tlsVersion(r, l.min_tls_version);
  if (tls && tls !== 'tls1.0') out.min_tls_version = tls;
  return out;
}

function tlsVersion(r: OldReader, v: unknown): string {
  const s = r.string(v, 'listen.min_tls_version').toLowerCase();
  if (['tls', 'tls1', 'tls10', 'tls1.0', 'tls1_0', 'tlsv10'].includes(s)) return 'tls1.0';
  if (['tls11', 'tls1.1', 'tls1_1', 'tlsv11'].includes(s)) return 'tls1.1';
  if (['tls12', 'tls1.2', 'tls1_2', 'tlsv12'].includes(s)) return 'tls1.2';
  return r.fail('listen.min_tls_version', 'expected one of "tls1.0", "tls1.1", "tls1.2"');
}

function translateRetries(r: OldReader, v: unknown): string | number {
  if (v === undefined || v === null || v === 'infinite') return 'infinite';
  const n = typeof v === 'number' ? v : Number(v);
  if (!Number.isInteger(n) || n < 1) r.fail('watchdog.max_retries', 'expected "infinite" or a positive whole number');
  return n;
}

function translateMoby(r: OldReader, m: Table): Table {
  const out: Table = { uri: r.url(m.uri, 'moby_runtime.uri') };
  const network = m.network;
  if (network && typeof network === 'object') {
    const n = r.table(network, 'moby_runtime.network');
    const net: Table = { name: r.string(n.name, 'moby_runtime.network.name') };
    if (n.ipv6 !== undefined) net.ipv6 = r.bool(n.ipv6, 'moby_runtime.network.ipv6');
    const ipam = r.optTable(n.ipam, 'moby_runtime.network.ipam');
    if (ipam) {
      const config = ipam.config;
      if (config !== undefined && !Array.isArray(config)) r.fail('moby_runtime.network.ipam.config', 'expected a list');
      net.ipam = config === undefined ? {} : {
        config: (config as unknown[]).map((c, i) => {
          const t = r.table(c, `moby_runtime.network.ipam.config.${i}`);
          const o: Table = {};
          for (const k of ['gateway', 'subnet', 'ip_range']) if (t[k] !== undefined) o[k] = r.string(t[k], `moby_runtime.network.ipam.config.${i}.${k}`);
          return o;
        }),
      };
    }
    out.network = net;
  } else out.network = r.string(network, 'moby_runtime.network');
  const trust = r.optTable(m.content_trust, 'moby_runtime.content_trust');
  if (trust) {
    const caCerts = r.optTable(trust.ca_certs, 'moby_runtime.content_trust.ca_certs');
    out.content_trust = caCerts
      ? { ca_certs: Object.fromEntries(Object.entries(caCerts).map(([host, p]) => [host, r.fileUri(p, `moby_runtime.content_trust.ca_certs.${host}`)])) }
      : {};
  }
  return out;
}
