/**
 * cloud-init documents for one device: the provisioning file written 0600 where the snap reads
 * it, the host name, and wifi as netplan v2. The same pieces serve the Ubuntu Core drop-in and
 * the classic NoCloud seed.
 */
import * as yaml from 'js-yaml';
import { PROVISIONING_FILE, SNAP_COMMON_ON_DEVICE, renderProvisioningFile, type ProvisioningFile } from '../../config/provisioning-file';
import type { DeviceSpec } from '../device/spec';

export function cloudConfig(spec: DeviceSpec, provisioning: ProvisioningFile | undefined, extra: Record<string, unknown> = {}): string {
  const doc: Record<string, unknown> = { ...extra };
  if (spec.hostname) {
    doc.hostname = spec.hostname;
    doc.preserve_hostname = false;
  }
  if (provisioning) {
    doc.write_files = [
      {
        path: `${SNAP_COMMON_ON_DEVICE}/${PROVISIONING_FILE}`,
        owner: 'root:root',
        permissions: '0600',
        encoding: 'b64',
        content: Buffer.from(renderProvisioningFile(provisioning)).toString('base64'),
      },
    ];
  }
  return `#cloud-config\n${yaml.dump(doc, { lineWidth: -1 })}`;
}

/** Netplan v2, as cloud-init's network config takes it. */
export function networkConfig(spec: DeviceSpec): Record<string, unknown> | undefined {
  if (!spec.wifi) return undefined;
  const ap = spec.wifi.passphrase === undefined ? {} : { password: spec.wifi.passphrase };
  return { version: 2, wifis: { 'wlan0': { dhcp4: true, optional: true, 'access-points': { [spec.wifi.ssid]: ap } } } };
}

export function dumpYaml(doc: unknown, header = ''): string {
  return `${header}${yaml.dump(doc, { lineWidth: -1 })}`;
}
