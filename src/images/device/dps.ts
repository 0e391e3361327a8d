import { createHmac } from 'node:crypto';

/** A device's key in a DPS symmetric-key enrollment group: HMAC-SHA256 of its registration id, keyed with the group key. */
export function deriveDeviceKey(groupKey: Buffer, registrationId: string): string {
  return createHmac('sha256', groupKey).update(registrationId, 'utf8').digest('base64');
}
