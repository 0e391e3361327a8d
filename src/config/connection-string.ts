/**
 * IoT Hub device connection strings: `HostName=...;DeviceId=...;SharedAccessKey=...`, parsed as
 * upstream does (unknown parts ignored, the key must be base64), except that a part given twice
 * is refused. Errors name the part that is wrong and never contain the key.
 */
import { isBase64Key } from '../util/base64';

export interface DeviceConnectionString {
  hostName: string;
  deviceId: string;
  sharedAccessKey: string;
  /** Set in a nested device's connection string: the parent that relays to IoT Hub. */
  gatewayHostName?: string;
}

const DEVICE_ID = /^[A-Za-z0-9\-:.+%_#*?!(),=@;$']{1,128}$/;
const HOST_NAME = /^[a-zA-Z0-9_\-.]+$/;

export type ParseResult = { ok: true; value: DeviceConnectionString } | { ok: false; problem: string };

/** The string as pasted: surrounding white space and one pair of surrounding quotes removed. */
export function unquoteConnectionString(s: string): string {
  const t = s.trim();
  return /^(["']).*\1$/s.test(t) && t.length >= 2 ? t.slice(1, -1).trim() : t;
}

export function parseDeviceConnectionString(input: string): ParseResult {
  const s = unquoteConnectionString(input);
  if (s === '') return { ok: false, problem: 'the connection string is empty' };
  // A DeviceId may contain "'", so only a leading one is taken for a stray quote.
  if (s.includes('"') || s.startsWith("'")) return { ok: false, problem: 'the connection string contains quotes; remove them' };
  const parts = new Map<string, string>();
  const seen = new Map<string, string>();
  for (const section of s.split(';')) {
    const eq = section.indexOf('=');
    if (eq <= 0) continue;
    const name = section.slice(0, eq).trim();
    // Last-one-wins would pick a device silently: a part given twice (in any letter case) is ambiguous.
    const first = seen.get(name.toLowerCase());
    if (first !== undefined) {
      return { ok: false, problem: `the connection string has ${first === name ? `${name} twice` : `${first} and ${name}`}; give each part once` };
    }
    seen.set(name.toLowerCase(), name);
    parts.set(name, section.slice(eq + 1).trim());
  }
  if (parts.has('SharedAccessKeyName')) {
    return { ok: false, problem: "this is an IoT Hub policy connection string (SharedAccessKeyName); give the device's own connection string (az iot hub device-identity connection-string show)" };
  }
  const key = parts.get('SharedAccessKey');
  if (!key) return { ok: false, problem: 'the connection string has no SharedAccessKey' };
  if (!isBase64Key(key)) return { ok: false, problem: 'the SharedAccessKey of the connection string is not base64' };
  const deviceId = parts.get('DeviceId');
  if (!deviceId) return { ok: false, problem: 'the connection string has no DeviceId' };
  if (!DEVICE_ID.test(deviceId)) return { ok: false, problem: 'the DeviceId of the connection string has characters IoT Hub does not allow' };
  const hostName = parts.get('HostName');
  if (!hostName) return { ok: false, problem: 'the connection string has no HostName' };
  if (!HOST_NAME.test(hostName)) return { ok: false, problem: 'the HostName of the connection string is not a host name' };
  if (parts.has('ModuleId')) return { ok: false, problem: 'this is a module connection string; give the device connection string' };
  const gatewayHostName = parts.get('GatewayHostName') || undefined;
  return { ok: true, value: { hostName, deviceId, sharedAccessKey: key, ...(gatewayHostName ? { gatewayHostName } : {}) } };
}
