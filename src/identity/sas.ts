/**
 * Shared access signatures exactly as upstream's cloud client makes them: the audience
 * lower-cased and percent-encoded (`/` kept, `=` escaped), signed as `sr + "\n" + expiry`
 * with HMAC-SHA256, the query form-urlencoded, and `skn=registration` for DPS only.
 */
import { createHmac } from 'node:crypto';

/** Upstream's path-segment set plus `=`: controls, space, `"#<>?\`{}=` and every non-ASCII byte. */
const RESOURCE_ESCAPE = new Set([...' "#<>?`{}='].map((c) => c.charCodeAt(0)));

/** The audience of a token: lower-cased, then percent-encoded. */
export function encodeResource(resource: string): string {
  return percentEncode(resource.toLowerCase());
}

/** Upstream's encoding of a path segment (device and module ids in IoT Hub URLs). */
export function percentEncode(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const escape = byte < 0x20 || byte >= 0x7f || RESOURCE_ESCAPE.has(byte);
    out += escape ? `%${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return out;
}

/** application/x-www-form-urlencoded, as the WHATWG serializer (upstream's `form_urlencoded`). */
export function formEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9*\-._]/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function hmacSha256(key: Buffer, data: Buffer | string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export interface SasTokenOptions {
  /** e.g. `myhub.azure-devices.net/devices/dev1` or `0ne00000001/registrations/dev1`. */
  audience: string;
  key: Buffer;
  /** Unix seconds. */
  expiry: number;
  /** DPS only: `registration`. */
  keyName?: string;
}

export function sasToken(options: SasTokenOptions): string {
  const sr = encodeResource(options.audience);
  const se = String(Math.floor(options.expiry));
  const sig = hmacSha256(options.key, `${sr}\n${se}`).toString('base64');
  let token = `sr=${sr}&sig=${formEncode(sig)}&se=${formEncode(se)}`;
  if (options.keyName) token += `&skn=${formEncode(options.keyName)}`;
  return `SharedAccessSignature ${token}`;
}

export function hubAudience(hubHostname: string, deviceId: string): string {
  return `${hubHostname}/devices/${deviceId}`;
}

export function dpsAudience(idScope: string, registrationId: string): string {
  return `${idScope}/registrations/${registrationId}`;
}

/** A DPS group enrollment's device key: base64(HMAC-SHA256(base64decode(groupKey), registrationId)). */
export function deriveGroupDeviceKey(groupKeyBase64: string, registrationId: string): string {
  return hmacSha256(Buffer.from(groupKeyBase64, 'base64'), registrationId).toString('base64');
}
