/**
 * Turns a provisioning plan into the device identity edged runs as: manual plans directly, DPS
 * plans through a registration (or the cached assignment on a normal restart, as upstream's
 * "Dynamic" mode). The result says whether the device changed since the last run, so the caller
 * can remove the old device's modules.
 */
import type { Logger } from '../../util/log';
import type { DpsAssignment, DpsRegistration } from '../cloud/dps-client';
import type { HubDevice } from '../cloud/hub-client';
import { DEVICE_KEY, KeyStore } from '../keys';
import { CachedDevice, IdentityStore } from '../store';
import type { ProvisioningPlan } from './plan';

export interface ProvisionDeps {
  store: IdentityStore;
  keys: KeyStore;
  register: (reg: DpsRegistration) => Promise<DpsAssignment>;
  logger: Logger;
}

export interface ProvisionOptions {
  /** Ask DPS even when a cached assignment exists (AlwaysOnStartup, or a reprovision request). */
  forceDps?: boolean;
}

export interface ProvisionResult {
  device: HubDevice;
  /** The device edged ran as before, when it was another hub or device id. */
  replaced?: CachedDevice;
}

export async function provision(plan: ProvisioningPlan, deps: ProvisionDeps, options: ProvisionOptions = {}): Promise<ProvisionResult> {
  const previous = await deps.store.readDevice();
  let cached: CachedDevice;
  if (plan.source === 'manual') {
    cached = { source: 'manual', hubHostname: plan.hubHostname, gatewayHostname: plan.gatewayHostname, deviceId: plan.deviceId };
  } else {
    const reuse =
      !options.forceDps &&
      previous?.source === 'dps' &&
      previous.registrationId === plan.registrationId &&
      previous.idScope === plan.idScope;
    if (reuse) {
      deps.logger.info(`Using the cached DPS assignment of ${plan.registrationId} (device ${previous.deviceId})`);
      cached = previous;
    } else {
      deps.logger.info(`Registering ${plan.registrationId} with DPS scope ${plan.idScope}`);
      const assigned = await deps.register(plan);
      deps.logger.info(`DPS assigned device ${assigned.deviceId} on ${assigned.assignedHub}`);
      cached = {
        source: 'dps',
        hubHostname: assigned.assignedHub,
        gatewayHostname: assigned.assignedHub,
        deviceId: assigned.deviceId,
        registrationId: plan.registrationId,
        idScope: plan.idScope,
      };
    }
  }
  if (plan.credentials.type === 'sas') await deps.keys.write(DEVICE_KEY, plan.credentials.key);
  else await deps.keys.remove(DEVICE_KEY);
  await deps.store.writeDevice(cached);

  const changed = previous && (previous.hubHostname !== cached.hubHostname || previous.deviceId !== cached.deviceId);
  if (changed) deps.logger.info(`Device identity changed from ${previous.deviceId}@${previous.hubHostname} to ${cached.deviceId}@${cached.hubHostname}`);
  return {
    device: {
      hubHostname: cached.hubHostname,
      gatewayHostname: cached.gatewayHostname,
      deviceId: cached.deviceId,
      credentials: plan.credentials,
    },
    replaced: changed ? previous : undefined,
  };
}
