/**
 * Every section and key of upstream's super-config (`config.toml`, see
 * contracts/config.toml.template and upstream's aziotctl-common + iotedge super_config.rs),
 * plus this appliance's own `[local_deployment]`. Keys the appliance cannot honour carry an
 * `unsupported` reason: they parse, and are refused where the configuration is used.
 */
import type { Node, TableNode } from './types';
import { parseDeviceConnectionString } from '../connection-string';

const TPM = 'this appliance has no TPM access (it runs as a snap); use symmetric-key or X.509 attestation';
const PKCS11 = 'this appliance keeps keys in files and has no PKCS#11 library; use a file:// key';
const EST = 'certificate issuance over EST is not available on this appliance; give the certificate and key as file:// URIs';
const PRELOADED =
  'this appliance keeps no store of preloaded keys or certificates by id (that is the identity services\' own store); give keys and certificates as file:// URIs where they are used';
const CONTENT_TRUST = 'signed-image verification (Docker Content Trust / Notary) is not available on this appliance; remove [moby_runtime.content_trust]';
const LOCAL_CA = 'certificate issuance from a local CA is not available on this appliance; give the certificate and key as file:// URIs, or use the quickstart Edge CA';

const str = (doc: string, extra: Partial<Node> = {}): Node => ({ type: 'string', doc, ...extra }) as Node;
const uri = (doc: string, extra: Partial<Node> = {}): Node => ({ type: 'string', format: 'uri', doc, ...extra }) as Node;
const keyLocation = (doc: string): Node => ({ type: 'string', format: 'key-location', doc });
const int = (doc: string, min?: number, extra: Partial<Node> = {}): Node => ({ type: 'integer', min, doc, ...extra }) as Node;
const bool = (doc: string, def?: boolean): Node => ({ type: 'boolean', doc, default: def });

const symmetricKey = (doc: string): TableNode => ({
  type: 'table',
  doc,
  fields: {
    value: { type: 'string', format: 'base64', secret: true, doc: 'the key, base64 (with or without "=" padding)' },
    uri: keyLocation('file:// URI of the key file'),
  },
  check: (t) =>
    (t.value === undefined) === (t.uri === undefined) ? [[undefined, 'set exactly one of "value" (the key, base64) or "uri" (a file:// URI)']] : [],
});

const autoRenew: TableNode = {
  type: 'table',
  doc: 'automatic renewal',
  fields: {
    rotate_key: bool('generate a new key on renewal', true),
    threshold: { type: 'string', format: 'percent', default: '80%', doc: 'renew after this share of the lifetime' },
    retry: { type: 'string', format: 'percent', default: '4%', doc: 'retry period, as a share of the lifetime' },
  },
};

const subject: Node = { type: 'map', doc: 'distinguished-name fields (CN, L, ST, O, ...)', values: { type: 'string' } };

const estFields: Record<string, Node> = {
  url: uri('EST server URL'),
  username: str('EST user name'),
  password: { type: 'string', secret: true, doc: 'EST password' },
  identity_cert: uri('EST identity certificate'),
  identity_pk: keyLocation('EST identity key'),
  bootstrap_identity_cert: uri('EST bootstrap identity certificate'),
  bootstrap_identity_pk: keyLocation('EST bootstrap identity key'),
};

/** `identity_cert` given as a table: issued dynamically. */
const issuedCert: TableNode = {
  type: 'table',
  doc: 'a dynamically issued certificate',
  fields: { common_name: str('certificate common name'), expiry_days: int('lifetime in days', 1), subject, auto_renew: autoRenew },
  tag: {
    key: 'method',
    variants: {
      est: { fields: estFields, unsupported: EST },
      local_ca: { fields: {}, unsupported: LOCAL_CA },
      self_signed: { fields: {}, unsupported: 'self-signed identity certificates are not accepted by IoT Hub provisioning here; give the certificate as a file:// URI' },
    },
  },
};

const identityCert: Node = {
  type: 'either',
  doc: 'identity certificate: a file:// URI',
  options: [uri('identity certificate file URI'), issuedCert],
};

const provisioning: TableNode = {
  type: 'table',
  doc: 'how the device gets its identity',
  fields: {
    always_reprovision_on_startup: bool('1.2-era key, kept for old files: use auto_reprovisioning_mode = "AlwaysOnStartup"'),
    dynamic_reprovisioning: bool('1.2-era key, kept for old files: use auto_reprovisioning_mode = "Dynamic"'),
  },
  tag: {
    key: 'source',
    variants: {
      manual: {
        fields: {
          connection_string: { type: 'string', secret: true, doc: 'HostName=...;DeviceId=...;SharedAccessKey=...' },
          iothub_hostname: { type: 'string', format: 'hostname', doc: 'the IoT Hub host name' },
          device_id: str('the device id'),
          authentication: {
            type: 'table',
            doc: 'how the device authenticates',
            fields: {},
            tag: {
              key: 'method',
              variants: {
                sas: { fields: { device_id_pk: symmetricKey('the device key') }, required: ['device_id_pk'] },
                x509: { fields: { identity_cert: identityCert, identity_pk: keyLocation('identity key file URI') }, required: ['identity_cert'] },
              },
            },
          },
        },
      },
      dps: {
        fields: {
          global_endpoint: uri('the DPS endpoint', { default: 'https://global.azure-devices-provisioning.net' }),
          id_scope: str('the DPS id scope'),
          payload: { type: 'table', doc: 'custom registration payload', fields: { uri: uri('file:// URI of a JSON file') }, required: ['uri'] },
          attestation: {
            type: 'table',
            doc: 'how the device proves itself to DPS',
            fields: {},
            tag: {
              key: 'method',
              variants: {
                symmetric_key: {
                  fields: {
                    registration_id: str('the registration id'),
                    symmetric_key: symmetricKey('the enrollment key'),
                    group_key: bool('this appliance: symmetric_key is an enrollment-group key; derive the device key from it', false),
                  },
                  required: ['registration_id', 'symmetric_key'],
                },
                x509: {
                  fields: {
                    registration_id: str('the registration id (default: the certificate CN)'),
                    identity_cert: identityCert,
                    identity_pk: keyLocation('identity key file URI'),
                    auto_renew: autoRenew,
                  },
                  required: ['identity_cert'],
                },
                tpm: { fields: { registration_id: str('the registration id') }, unsupported: TPM },
              },
            },
          },
        },
        required: ['id_scope', 'attestation'],
      },
      none: { fields: {} },
    },
  },
  check: (t) => {
    if (t.source !== 'manual') return [];
    if (typeof t.connection_string === 'string') {
      const parsed = parseDeviceConnectionString(t.connection_string);
      if (!parsed.ok) return [['connection_string', parsed.problem]];
    }
    const explicit = ['iothub_hostname', 'device_id', 'authentication'].filter((k) => t[k] !== undefined);
    if (t.connection_string !== undefined && explicit.length > 0)
      return [[explicit[0], 'give either "connection_string" or iothub_hostname + device_id + [provisioning.authentication], not both']];
    if (t.connection_string === undefined) {
      const missing = ['iothub_hostname', 'device_id', 'authentication'].filter((k) => t[k] === undefined);
      if (missing.length === 3) return [[undefined, 'manual provisioning needs "connection_string", or iothub_hostname + device_id + [provisioning.authentication]']];
      return missing.map((k) => [k, `missing key "${k}"`] as [string, string]);
    }
    return [];
  },
};

const edgeCa: TableNode = {
  type: 'table',
  doc: 'the Edge CA: files (cert + pk), or quickstart (auto-generated)',
  fields: {
    cert: uri('Edge CA certificate file URI'),
    pk: keyLocation('Edge CA key file URI'),
    auto_generated_edge_ca_expiry_days: int('lifetime of the quickstart Edge CA, in days', 1, { default: 90 }),
    auto_renew: autoRenew,
    subject,
    common_name: str('common name of an issued Edge CA'),
    expiry_days: int('lifetime of an issued Edge CA, in days', 1),
  },
  tag: {
    key: 'method',
    optional: true,
    variants: {
      est: { fields: estFields, unsupported: EST },
      local_ca: { fields: {}, unsupported: LOCAL_CA },
    },
  },
  check: (t) => {
    if ((t.cert === undefined) !== (t.pk === undefined)) return [[t.cert === undefined ? 'pk' : 'cert', 'set both "cert" and "pk", or neither']];
    if (t.cert !== undefined && t.auto_generated_edge_ca_expiry_days !== undefined)
      return [['auto_generated_edge_ca_expiry_days', 'a quickstart lifetime makes no sense with an Edge CA from files (cert + pk); remove one']];
    if (t.cert !== undefined && t.subject !== undefined)
      return [['subject', 'a subject applies to the quickstart Edge CA only; an Edge CA from files (cert + pk) has the subject in its certificate: remove [edge_ca.subject]']];
    if (t.cert !== undefined && t.auto_renew !== undefined)
      return [['auto_renew', 'renewal applies to the quickstart Edge CA only; an Edge CA from files (cert + pk) is renewed by replacing its files: remove [edge_ca.auto_renew]']];
    return [];
  },
};

const estIssuance: TableNode = {
  type: 'table',
  doc: 'EST issuance defaults',
  unsupported: EST,
  fields: {
    trusted_certs: { type: 'array', items: uri('trusted certificate') },
    auth: {
      type: 'table',
      fields: {
        username: str('EST user name'),
        password: { type: 'string', secret: true },
        identity_cert: uri('EST identity certificate'),
        identity_pk: keyLocation('EST identity key'),
        bootstrap_identity_cert: uri('EST bootstrap certificate'),
        bootstrap_identity_pk: keyLocation('EST bootstrap key'),
      },
    },
    identity_auto_renew: autoRenew,
    urls: { type: 'map', values: uri('EST URL') },
  },
};

export const superConfigSchema: TableNode = {
  type: 'table',
  doc: 'config.toml',
  fields: {
    hostname: { type: 'string', format: 'hostname', doc: 'the device host name (default: the machine name)' },
    parent_hostname: { type: 'string', format: 'hostname', doc: 'the parent device of a nested edge' },
    local_gateway_hostname: { type: 'string', format: 'hostname', doc: 'another name of parent_hostname (identity service)' },
    trust_bundle_cert: uri('file:// URI of extra trusted CA certificates'),
    manifest_trust_bundle_cert: uri('file:// URI of the manifest signing trust bundle'),
    additional_info: uri('file:// URI of a TOML file with extra device information'),
    allow_elevated_docker_permissions: bool('allow privileged modules and added capabilities', true),
    prefer_module_identity_cache: bool('use cached module identities before asking IoT Hub', false),
    auto_reprovisioning_mode: { type: 'string', enum: ['Dynamic', 'AlwaysOnStartup', 'OnErrorOnly'], default: 'Dynamic', doc: 'when to reprovision' },
    imported_master_encryption_key: str('path of the 1.1 master encryption key (set by `iotedge config import`); when set, the master encryption key edged uses'),
    cloud_timeout_sec: int('deadline of one cloud request, in seconds', 1, { default: 10 }),
    cloud_retries: int('retries after a failed cloud request', 0, { default: 1 }),
    iotedge_max_requests: {
      type: 'table',
      doc: 'concurrent requests allowed on the edged sockets',
      fields: { management: int('management socket', 1, { default: 50 }), workload: int('workload socket', 1, { default: 50 }) },
    },
    aziot_max_requests: {
      type: 'table',
      doc: 'concurrent requests of the identity services (kept for compatibility)',
      fields: { keyd: int('keyd', 1), certd: int('certd', 1), identityd: int('identityd', 1), tpmd: int('tpmd', 1) },
    },
    provisioning,
    localid: { type: 'table', doc: 'local identities', unsupported: 'local identities (localid) are not available on this appliance', fields: { domain: str('domain') } },
    aziot_keys: { type: 'map', doc: 'PKCS#11 settings of the keys service', values: { type: 'string', unsupported: PKCS11 } },
    preloaded_keys: { type: 'map', doc: 'keys preloaded by id', values: { ...keyLocation('key file URI'), unsupported: PRELOADED } as Node },
    cert_issuance: {
      type: 'table',
      doc: 'how dynamically issued certificates are issued',
      fields: { est: estIssuance, local_ca: { type: 'table', unsupported: LOCAL_CA, fields: { cert: uri('local CA certificate'), pk: keyLocation('local CA key') } } },
    },
    preloaded_certs: {
      type: 'map',
      doc: 'certificates preloaded by id',
      values: { type: 'either', unsupported: PRELOADED, options: [uri('certificate file URI'), { type: 'array', items: uri('certificate file URI') }] },
    },
    tpm: {
      type: 'table',
      doc: 'TPM settings',
      fields: {
        tcti: { type: 'string', unsupported: TPM },
        auth_key_index: { type: 'string', unsupported: TPM },
        hierarchy_authorization: {
          type: 'table',
          unsupported: TPM,
          fields: { endorsement: { type: 'string', secret: true }, owner: { type: 'string', secret: true } },
        },
      },
    },
    agent: {
      type: 'table',
      doc: 'the edgeAgent module edged starts',
      fields: {
        name: str('module name', { default: 'edgeAgent' }),
        type: { type: 'string', enum: ['docker'], default: 'docker', doc: 'module type' },
        imagePullPolicy: { type: 'string', enum: ['on-create', 'never'], default: 'on-create', doc: 'when to pull the image' },
        config: {
          type: 'table',
          doc: 'docker settings',
          fields: {
            image: str('image', { default: 'mcr.microsoft.com/azureiotedge-agent:1.5' }),
            imageHash: str('image id'),
            digest: str('image digest'),
            createOptions: { type: 'any-table', doc: 'docker create options (a TOML inline table)' },
            auth: {
              type: 'table',
              doc: 'registry credentials',
              fields: {
                serveraddress: str('registry'),
                username: str('user name'),
                password: { type: 'string', secret: true, doc: 'password' },
                email: str('e-mail'),
                identitytoken: { type: 'string', secret: true },
                registrytoken: { type: 'string', secret: true },
              },
            },
          },
        },
        env: { type: 'map', doc: 'environment of the agent', values: { type: 'string' } },
      },
    },
    connect: {
      type: 'table',
      doc: 'where clients reach edged',
      fields: { workload_uri: uri('workload API'), management_uri: uri('management API') },
    },
    listen: {
      type: 'table',
      doc: 'where edged listens',
      fields: {
        workload_uri: uri('workload API (unix:// or fd://)'),
        management_uri: uri('management API (unix:// or fd://)'),
        min_tls_version: { type: 'string', enum: ['tls1.0', 'tls1.1', 'tls1.2', 'tls1.3'], doc: 'lowest TLS version' },
      },
    },
    watchdog: {
      type: 'table',
      doc: 'the edgeAgent watchdog',
      fields: {
        max_retries: {
          type: 'either',
          default: 'infinite',
          doc: '"infinite" or a positive integer',
          options: [{ type: 'string', enum: ['infinite'] }, { type: 'integer', min: 1 }],
        },
      },
    },
    edge_ca: edgeCa,
    moby_runtime: {
      type: 'table',
      doc: 'the container engine',
      fields: {
        uri: uri('engine socket', { default: 'unix:///var/run/docker.sock' }),
        network: {
          type: 'either',
          default: 'azure-iot-edge',
          doc: 'module network: a name, or a table with name, ipv6, ipam.config (subnet, gateway, ip_range), which edged creates the network with when it is missing (an existing network is used as it is)',
          options: [
            { type: 'string' },
            {
              type: 'table',
              fields: {
                name: str('network name'),
                ipv6: bool('enable IPv6'),
                ipam: {
                  type: 'table',
                  fields: {
                    config: {
                      type: 'array',
                      items: { type: 'table', fields: { gateway: str('gateway'), subnet: str('subnet'), ip_range: str('range') } },
                    },
                  },
                },
              },
              required: ['name'],
            },
          ],
        },
        content_trust: {
          type: 'table',
          doc: 'signed images',
          unsupported: CONTENT_TRUST,
          fields: { ca_certs: { type: 'map', values: uri('CA certificate per registry') } },
        },
      },
    },
    image_garbage_collection: {
      type: 'table',
      doc: 'removal of unused images',
      fields: {
        enabled: bool('run image garbage collection', true),
        cleanup_recurrence: { type: 'string', format: 'whole-days', default: '1d', doc: 'how often (whole days)' },
        image_age_cleanup_threshold: { type: 'string', format: 'duration', default: '7d', doc: 'unused for this long' },
        cleanup_time: { type: 'string', format: 'time-of-day', default: '00:00', doc: 'HH:MM' },
        startup_delay: { type: 'string', format: 'duration', default: '5m', doc: 'this appliance: nothing is collected this soon after edged starts' },
      },
    },
    local_deployment: {
      type: 'table',
      doc: 'this appliance: run a deployment manifest from a file, with no cloud',
      fields: {
        file: str('path of the deployment JSON'),
        restart_cool_off_secs: int('first restart back-off, doubled per restart (upstream 10)', 0),
        restart_max_cool_off_secs: int('longest restart back-off (upstream 300)', 0),
        restart_max_count: int('restarts before a module is reported failed (upstream 20)', 1),
        restart_reset_after_secs: int('running this long resets the restart count (upstream 600)', 0),
        debounce_ms: int('wait for writes to the file to settle before applying it', 0),
      },
      required: ['file'],
    },
  },
  check: (t) =>
    t.parent_hostname !== undefined && t.local_gateway_hostname !== undefined
      ? [['local_gateway_hostname', 'set parent_hostname or local_gateway_hostname, not both']]
      : [],
};
