/**
 * IoT Hub device connection strings: `HostName=...;DeviceId=...;SharedAccessKey=...`, parsed as
 * upstream does (unknown parts ignored, the key must be base64). Errors name the part that is
 * wrong and never contain the key.
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

export function parseDeviceConnectionString(s: string): ParseResult {
  const parts = new Map<string, string>();
  for (const section of s.split(';')) {
    const eq = section.indexOf('=');
    if (eq > 0) parts.set(section.slice(0, eq).trim(), section.slice(eq + 1).trim());
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
