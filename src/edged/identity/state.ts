/**
 * What the identity component holds once it started: the provisioned device, its Edge CA and the
 * module certificates. The workload API asks for them at request time; before they are there
 * it answers 503 (still provisioning), and without [provisioning] there are no module identities.
 */
import type { EdgeCa } from '../../certs/edge-ca';
import type { ModuleCertificates } from '../../certs/module-certs';
import { NotImplementedError, UnavailableError } from '../../errors';
import type { HubIdentityManager } from '../../identity/manager';
import type { ProvisioningPlan } from '../../identity/provisioning/plan';

/** The device as provisioning left it: no plan and no identities without [provisioning]. */
export interface ProvisionedDevice {
  plan?: ProvisioningPlan;
  identities?: HubIdentityManager;
  deviceId: string;
}

export class IdentityState {
  device?: ProvisionedDevice;
  ca?: EdgeCa;
  certs?: ModuleCertificates;

  ready(): { device: ProvisionedDevice; certs: ModuleCertificates; ca: EdgeCa } {
    if (!this.device || !this.certs || !this.ca) {
      throw new UnavailableError('edged is still provisioning', { hint: 'try again in a moment' });
    }
    return { device: this.device, certs: this.certs, ca: this.ca };
  }

  identities(): HubIdentityManager {
    const ids = this.ready().device.identities;
    if (!ids) {
      throw new NotImplementedError('module identities are not available without [provisioning]', {
        hint: 'configure [provisioning] in config.toml',
      });
    }
    return ids;
  }
}
