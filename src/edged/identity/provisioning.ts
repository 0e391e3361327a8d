/**
 * Provisioning the device (connection string, DPS, or none) and provisioning it again: when asked
 * (`iotedge system reprovision`), and in upstream's "Dynamic" mode when IoT Hub refuses a
 * DPS-provisioned device. A device that replaced another removes the old device's modules.
 */
import { hostname as osHostname } from 'node:os';
import type { SuperConfig } from '../../config/types';
import type { CloudOptions } from '../../identity/cloud/https';
import { registerWithDps } from '../../identity/cloud/dps-client';
import { HubClient } from '../../identity/cloud/hub-client';
import type { KeyStore } from '../../identity/keys';
import { HubIdentityManager } from '../../identity/manager';
import { planProvisioning, type ProvisioningPlan } from '../../identity/provisioning/plan';
import { provision } from '../../identity/provisioning/provision';
import type { IdentityStore } from '../../identity/store';
import type { ModuleRuntime } from '../../runtime/types';
import type { Clock } from '../../util/clock';
import type { Logger } from '../../util/log';
import type { ProvisionedDevice } from './state';

export interface ProvisionerDeps {
  config: SuperConfig;
  keys: KeyStore;
  store: IdentityStore;
  /** IoT Hub's and DPS's timeouts, retries, TLS roots. */
  cloud: CloudOptions;
  /** Between DPS status polls (tests shorten it). */
  dpsPollIntervalMs?: number;
  /** The runtime under the workload sockets, and the sockets' removal: a replaced device's modules go. */
  runtime: Pick<ModuleRuntime, 'list' | 'remove'>;
  removeSockets: (module: string) => Promise<void>;
  clock: Clock;
  logger: Logger;
  /** Each provisioning's result, the first one and every later one. */
  provisioned: (device: ProvisionedDevice) => void;
}

/** The cloud options of the settings (`cloud_timeout_sec`, `cloud_retries`) and of the tests. */
export function cloudOptions(
  config: SuperConfig,
  options: { retryDelayMs?: number; tls?: CloudOptions['tls']; hostOverride?: Record<string, string> },
  clock: Clock,
  logger: Logger,
): CloudOptions {
  return {
    timeoutMs: config.cloud_timeout_sec * 1000,
    retries: config.cloud_retries,
    retryDelayMs: options.retryDelayMs,
    clock,
    logger,
    tls: options.tls,
    hostOverride: options.hostOverride,
  };
}

export class DeviceProvisioner {
  private reprovisioning?: Promise<void>;

  constructor(private readonly deps: ProvisionerDeps) {}

  /** Provisions the device (`forceDps`: register with DPS even with a cached registration). */
  async provision(forceDps: boolean): Promise<ProvisionedDevice> {
    const device = await this.device(forceDps);
    this.deps.provisioned(device);
    return device;
  }

  /** Waits for a dynamic reprovisioning under way, if any. */
  async settled(): Promise<void> {
    await this.reprovisioning;
  }

  private async device(forceDps: boolean): Promise<ProvisionedDevice> {
    const { config, logger: log } = this.deps;
    if (!config.provisioning) {
      log.info('No [provisioning]: the workload API serves certificates and encryption only, and there is no edgeAgent');
      return { deviceId: config.hostname ?? osHostname() };
    }
    const plan = await planProvisioning(config);
    const result = await provision(
      plan,
      {
        store: this.deps.store,
        keys: this.deps.keys,
        logger: log,
        register: (reg) => registerWithDps(reg, { ...this.deps.cloud, pollIntervalMs: this.deps.dpsPollIntervalMs }),
      },
      { forceDps: forceDps || config.auto_reprovisioning_mode === 'AlwaysOnStartup' },
    );
    if (result.replaced) {
      // As upstream: the old device's modules are not this device's; edgeAgent redeploys.
      for (const m of await this.deps.runtime.list()) {
        log.info(`Removing module ${m.name}: it belonged to device ${result.replaced.deviceId}`);
        await this.deps.runtime.remove(m.name);
        await this.deps.removeSockets(m.name);
      }
    }
    const hub = new HubClient(result.device, this.deps.cloud, () => this.dynamicReprovision(plan));
    return {
      plan,
      // prefer_module_identity_cache (default false, as upstream): false asks IoT Hub first and
      // falls back to the cache when it cannot answer; true reads the cache first.
      identities: new HubIdentityManager(hub, this.deps.keys, this.deps.store, log, config.prefer_module_identity_cache, this.deps.clock),
      deviceId: result.device.deviceId,
    };
  }

  /** Upstream's "Dynamic" mode: IoT Hub refusing a DPS-provisioned device sends it back to DPS. */
  private dynamicReprovision(plan: ProvisioningPlan): void {
    const { config, logger: log } = this.deps;
    if (plan.source !== 'dps' || config.auto_reprovisioning_mode === 'OnErrorOnly' || this.reprovisioning) return;
    log.warn('IoT Hub refused the device credentials; registering with DPS again');
    this.reprovisioning = this.provision(true)
      .then(() => undefined)
      .catch((e: Error) => log.error(`Reprovisioning failed: ${e.message}`))
      .finally(() => (this.reprovisioning = undefined));
  }
}
