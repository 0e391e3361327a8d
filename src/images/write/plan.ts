/**
 * Which files a device's image gets, from what the base is and what the device needs: pure, so
 * the grade rules are tested without a disk. Paths are inside the FAT partition the base names.
 */
import { GradeError } from '../errors';
import type { BaseInfo } from '../base/inspect';
import { hasSecrets, type DeviceSpec } from '../device/spec';
import { provisioningFileFor } from '../device/provisioning';
import { cloudConfig, dumpYaml, networkConfig } from './cloud-init';

export interface FileWrite {
  path: string;
  content: string;
}

/** Read by cloud-init after the distribution's own drop-ins. */
export const CORE_DROP_IN = '/data/etc/cloud/cloud.cfg.d/90-azure-iot-edge.cfg';

export function planWrites(base: BaseInfo, spec: DeviceSpec): FileWrite[] {
  const provisioning = spec.identity || spec.hostname || spec.deployment ? provisioningFileFor(spec) : undefined;
  if (base.kind === 'classic') {
    const network = networkConfig(spec);
    return [
      { path: '/user-data', content: cloudConfig(spec, provisioning) },
      { path: '/meta-data', content: dumpYaml({ 'instance-id': `azure-iot-edge-${spec.name}`, ...(spec.hostname ? { 'local-hostname': spec.hostname } : {}) }) },
      ...(network ? [{ path: '/network-config', content: dumpYaml(network) }] : []),
    ];
  }
  const { grade, model } = base.model;
  if (grade === 'signed') {
    throw new GradeError(
      `the base's model ${model} has grade signed: snapd ignores cloud-init configuration in ubuntu-seed on signed models (only the gadget's is used), so ${hasSecrets(spec) ? 'per-device secrets' : 'per-device settings'} cannot be put in this image`,
      { hint: 'flash the signed image as it is and provision after first boot (snap set azure-iot-edge connection-string=..., or DPS through the gadget), or use a dangerous-grade model' },
    );
  }
  if (grade === 'secured') {
    throw new GradeError(`the base's model ${model} has grade secured: snapd takes no cloud-init configuration from ubuntu-seed, so nothing per device can be written into it`, {
      hint: 'provision after first boot: a shared image with DPS (an X.509 or TPM enrollment the gadget carries), or `snap set azure-iot-edge connection-string=...` on each device',
    });
  }
  const network = networkConfig(spec);
  return [{ path: CORE_DROP_IN, content: cloudConfig(spec, provisioning, network ? { network } : {}) }];
}
