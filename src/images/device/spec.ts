/**
 * One device's inputs, as the CLI and the REST API take them, checked into a DeviceSpec with
 * the appliance's own parsers: the connection string's, the snap options' (`snap set` would
 * refuse the same values) and edged's deployment manifest parser. Every refusal is one line
 * naming the field; no secret is ever part of it.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { parseDeviceConnectionString } from '../../config/connection-string';
import { parseDeployment } from '../../agent/manifest/parse';
import { parseOptions } from '../../snap/options';
import { isObject } from '../../util/is-object';
import { isEdgeError } from '../../errors';
import { ImageInputError } from '../errors';
import { deriveDeviceKey } from './dps';

export interface DeviceInput {
  /** Names the image: a-z, A-Z, 0-9, '.', '_', '-'. */
  name?: unknown;
  connectionString?: unknown;
  dps?: unknown;
  x509?: unknown;
  hostname?: unknown;
  wifi?: unknown;
  deployment?: unknown;
}

export type Identity =
  | { kind: 'connection-string'; connectionString: string; deviceId: string }
  | { kind: 'dps'; idScope: string; registrationId: string; globalEndpoint: string; deviceKey: string }
  | { kind: 'x509'; iothubHostname: string; deviceId: string; certPem: string; keyPem: string };

export interface DeviceSpec {
  name: string;
  identity?: Identity;
  hostname?: string;
  wifi?: { ssid: string; passphrase?: string };
  deployment?: Record<string, unknown>;
}

export interface SpecContext {
  /** The DPS enrollment group's key, held by the service; never written into an image. */
  dpsGroupKey?: Buffer;
}

export const LIMITS = { field: 4096, pem: 16 * 1024, deployment: 256 * 1024 } as const;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ID_SCOPE = /^0ne[0-9a-f]{8}$/i;
const REGISTRATION_ID = /^[a-z0-9._:-]{1,128}$/;
const DEVICE_ID = /^[A-Za-z0-9\-:.+%_#*?!(),=@$']{1,128}$/;
const KNOWN = ['name', 'connectionString', 'dps', 'x509', 'hostname', 'wifi', 'deployment'];
export const DEFAULT_DPS_ENDPOINT = 'https://global.azure-devices-provisioning.net';

const bad = (message: string, hint?: string) => new ImageInputError(message, hint ? { hint } : {});

function text(field: string, v: unknown, max: number = LIMITS.field): string {
  if (typeof v !== 'string') throw bad(`${field} must be a string`);
  if (Buffer.byteLength(v) > max) throw bad(`${field} is longer than ${max} bytes`);
  return v;
}

function object(field: string, v: unknown, keys: string[]): Record<string, unknown> {
  if (!isObject(v)) throw bad(`${field} must be an object`);
  const unknown = Object.keys(v).filter((k) => !keys.includes(k));
  if (unknown.length) throw bad(`${field} has unknown field ${unknown.map((k) => k.slice(0, 40)).join(', ')}`, `fields: ${keys.join(', ')}`);
  return v;
}

function connectionString(v: unknown): Identity {
  const parsed = parseDeviceConnectionString(text('connectionString', v));
  if (!parsed.ok) throw bad(`connectionString: ${parsed.problem}`, "give the device's connection string: HostName=...;DeviceId=...;SharedAccessKey=...");
  return { kind: 'connection-string', connectionString: text('connectionString', v).trim(), deviceId: parsed.value.deviceId };
}

function dps(v: unknown, ctx: SpecContext): Identity {
  const o = object('dps', v, ['idScope', 'registrationId', 'globalEndpoint']);
  const idScope = text('dps.idScope', o.idScope);
  if (!ID_SCOPE.test(idScope)) throw bad('dps.idScope is not a DPS ID scope (0ne followed by 8 hex digits)');
  const registrationId = text('dps.registrationId', o.registrationId);
  if (!REGISTRATION_ID.test(registrationId)) throw bad('dps.registrationId may hold only a-z, 0-9, ., _, :, - (at most 128)');
  const globalEndpoint = o.globalEndpoint === undefined ? DEFAULT_DPS_ENDPOINT : text('dps.globalEndpoint', o.globalEndpoint);
  if (!/^https:\/\/[A-Za-z0-9.-]+(:\d+)?\/?$/.test(globalEndpoint)) throw bad('dps.globalEndpoint must be an https:// URL of a host');
  if (!ctx.dpsGroupKey) throw bad('dps needs the enrollment group key, which this service does not hold', 'start it with --dps-group-key-file FILE (the key is never written into an image)');
  return { kind: 'dps', idScope, registrationId, globalEndpoint, deviceKey: deriveDeviceKey(ctx.dpsGroupKey, registrationId) };
}

function x509(v: unknown): Identity {
  const o = object('x509', v, ['iothubHostname', 'deviceId', 'cert', 'key']);
  const iothubHostname = text('x509.iothubHostname', o.iothubHostname);
  if (!/^[a-zA-Z0-9_\-.]+$/.test(iothubHostname)) throw bad('x509.iothubHostname is not a host name');
  const deviceId = text('x509.deviceId', o.deviceId);
  if (!DEVICE_ID.test(deviceId)) throw bad('x509.deviceId has characters IoT Hub does not allow');
  const certPem = text('x509.cert', o.cert, LIMITS.pem);
  const keyPem = text('x509.key', o.key, LIMITS.pem);
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw bad('x509.cert is not a PEM certificate');
  }
  let key;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw bad('x509.key is not a PEM private key (unencrypted)');
  }
  if (!cert.checkPrivateKey(key)) throw bad("x509.key is not the certificate's key");
  return { kind: 'x509', iothubHostname, deviceId, certPem, keyPem };
}

/** The snap's own option parser: a hostname `snap set` refuses is refused here too. */
function snapOption(key: string, value: string): void {
  try {
    parseOptions({ [key]: value });
  } catch (e) {
    throw bad(isEdgeError(e) ? e.message : `${key} is not valid`);
  }
}

function wifi(v: unknown): DeviceSpec['wifi'] {
  const o = object('wifi', v, ['ssid', 'passphrase']);
  const ssid = text('wifi.ssid', o.ssid);
  if (Buffer.byteLength(ssid) < 1 || Buffer.byteLength(ssid) > 32 || /[\0-\x1f]/.test(ssid)) throw bad('wifi.ssid must be 1 to 32 bytes, no control characters');
  if (o.passphrase === undefined) return { ssid };
  const passphrase = text('wifi.passphrase', o.passphrase);
  if (!/^[\x20-\x7e]{8,63}$/.test(passphrase) && !/^[0-9a-fA-F]{64}$/.test(passphrase)) throw bad('wifi.passphrase must be 8 to 63 printable ASCII characters (or 64 hex digits)');
  return { ssid, passphrase };
}

function deployment(v: unknown): Record<string, unknown> {
  let doc = v;
  if (typeof v === 'string') {
    text('deployment', v, LIMITS.deployment);
    try {
      doc = JSON.parse(v);
    } catch {
      throw bad('deployment is not valid JSON');
    }
  } else if (Buffer.byteLength(JSON.stringify(v) ?? '') > LIMITS.deployment) {
    throw bad(`deployment is longer than ${LIMITS.deployment} bytes`);
  }
  if (!isObject(doc)) throw bad('deployment must be a JSON object (a deployment manifest)');
  try {
    parseDeployment(doc);
  } catch (e) {
    throw bad(`deployment: ${isEdgeError(e) ? e.message : 'not a deployment manifest'}`);
  }
  return doc;
}

export function parseDeviceInput(input: unknown, ctx: SpecContext = {}): DeviceSpec {
  const o = object('the device', input, KNOWN);
  const name = text('name', o.name ?? '');
  if (!NAME.test(name)) throw bad('name must be 1 to 64 of A-Z, a-z, 0-9, ., _, - (it names the image file), starting with a letter or digit');
  const given = (['connectionString', 'dps', 'x509'] as const).filter((k) => o[k] !== undefined);
  if (given.length > 1) throw bad(`give one identity, not ${given.join(' and ')}`);
  const spec: DeviceSpec = { name };
  if (o.connectionString !== undefined) spec.identity = connectionString(o.connectionString);
  if (o.dps !== undefined) spec.identity = dps(o.dps, ctx);
  if (o.x509 !== undefined) spec.identity = x509(o.x509);
  if (o.hostname !== undefined) {
    spec.hostname = text('hostname', o.hostname, 255);
    snapOption('hostname', spec.hostname);
  }
  if (o.wifi !== undefined) spec.wifi = wifi(o.wifi);
  if (o.deployment !== undefined) spec.deployment = deployment(o.deployment);
  if (!spec.identity && !spec.hostname && !spec.wifi && !spec.deployment) {
    throw bad('the device has nothing to write', 'give connectionString, dps or x509, and/or hostname, wifi, deployment');
  }
  return spec;
}

export function hasSecrets(spec: DeviceSpec): boolean {
  return spec.identity !== undefined || spec.wifi?.passphrase !== undefined;
}
