/**
 * Module identities on IoT Hub, as upstream's identity service manages them: created, then given
 * symmetric keys derived from the master identity key and the module's generation id; cached
 * locally so that the workload API can sign with a module key without a round trip to the cloud.
 */
import { BadRequestError, NotFoundError, UnavailableError } from '../errors';
import { type Clock, systemClock } from '../util/clock';
import type { Logger } from '../util/log';
import { Mutex } from '../util/mutex';
import type { HubClient, HubModule } from './cloud/hub-client';
import type { KeyStore } from './keys';
import type { CachedModule, IdentityStore } from './store';
import type { AuthType, IdentityManager, ModuleIdentity } from './types';

export interface ModuleIdentityDetails extends ModuleIdentity {
  hubHostname: string;
  gatewayHostname: string;
  deviceId: string;
}

/**
 * Signing (the workload API's `sign`, which module SDKs call to renew their SAS tokens) asks IoT
 * Hub at most once for this long, then signs with the cached identity; after a hub that did not
 * answer, signing uses the cache without asking for SKIP_HUB_AFTER_FAILURE_MS.
 */
export const SIGN_LOOKUP_CAP_MS = 5000;
export const SKIP_HUB_AFTER_FAILURE_MS = 60_000;

export class HubIdentityManager implements IdentityManager {
  private readonly cacheLock = new Mutex();
  private hubDownUntil = 0;

  constructor(
    private readonly hub: HubClient,
    private readonly keys: KeyStore,
    private readonly store: IdentityStore,
    private readonly logger: Logger,
    /** Read module identities from the local cache first (upstream's prefer_module_identity_cache). */
    private readonly preferCache = true,
    private readonly clock: Clock = systemClock,
  ) {}

  get device() {
    return this.hub.device;
  }

  async list(): Promise<ModuleIdentity[]> {
    const modules = await this.hub.listModules();
    await this.updateCache((cache) => {
      for (const m of modules) if (m.generationId) cache[m.moduleId] = { generationId: m.generationId, managedBy: m.managedBy };
    });
    return modules.map(toIdentity).sort((a, b) => (a.moduleId < b.moduleId ? -1 : a.moduleId > b.moduleId ? 1 : 0));
  }

  async create(moduleId: string, managedBy?: string): Promise<ModuleIdentity> {
    checkId(moduleId);
    const created = await this.hub.createModule(moduleId, managedBy);
    this.logger.info(`Created module identity ${moduleId}`);
    return this.setKeys(created, managedBy);
  }

  /** As upstream: read the module's generation id from IoT Hub, then (re)set its derived keys. */
  async update(moduleId: string, _generationId?: string, managedBy?: string): Promise<ModuleIdentity> {
    checkId(moduleId);
    const current = await this.hub.getModule(moduleId);
    return this.setKeys(current, managedBy ?? current.managedBy);
  }

  /**
   * As edgeAgent does for each module it creates: the identity with this device's derived keys,
   * created when IoT Hub has none; the cached one when IoT Hub cannot answer.
   */
  async ensure(moduleId: string): Promise<ModuleIdentity> {
    try {
      return await this.update(moduleId, undefined, 'iotedge');
    } catch (e) {
      if (e instanceof NotFoundError) return this.create(moduleId, 'iotedge');
      const cached = e instanceof UnavailableError ? (await this.readCache())[moduleId] : undefined;
      if (!cached) throw e;
      this.logger.warn(`IoT Hub did not answer (${(e as Error).message}): module ${moduleId} gets its cached identity`);
      return { moduleId, generationId: cached.generationId, managedBy: cached.managedBy ?? 'iotedge', authType: 'Sas' };
    }
  }

  async remove(moduleId: string): Promise<void> {
    checkId(moduleId);
    await this.hub.deleteModule(moduleId);
    await this.updateCache((cache) => void delete cache[moduleId]);
    this.logger.info(`Deleted module identity ${moduleId}`);
  }

  /** A module's identity, from the cache when allowed, else from IoT Hub. */
  async get(moduleId: string): Promise<ModuleIdentityDetails> {
    return this.lookup(moduleId, false);
  }

  /** The module's primary key (the one its SAS tokens are signed with), within SIGN_LOOKUP_CAP_MS. */
  async moduleKey(moduleId: string): Promise<Buffer> {
    const identity = await this.lookup(moduleId, true);
    return (await this.keys.moduleKeys(moduleId, identity.generationId)).primary;
  }

  private async lookup(moduleId: string, signing: boolean): Promise<ModuleIdentityDetails> {
    checkId(moduleId);
    const cached = async () => (await this.readCache())[moduleId];
    let entry: CachedModule | undefined = this.preferCache ? await cached() : undefined;
    if (!entry && signing && this.clock.now() < this.hubDownUntil) entry = await cached();
    if (!entry) {
      try {
        const m = signing ? await this.hub.getModuleQuickly(moduleId, SIGN_LOOKUP_CAP_MS) : await this.hub.getModule(moduleId);
        if (!m.generationId) throw new NotFoundError(`Module identity ${moduleId} has no generation id`);
        entry = { generationId: m.generationId, managedBy: m.managedBy };
        this.hubDownUntil = 0;
        await this.updateCache((cache) => void (cache[moduleId] = entry!));
      } catch (e) {
        // The cloud is down or refuses: fall back to what we knew.
        entry = await cached();
        if (!entry) throw e;
        if (e instanceof UnavailableError && this.clock.now() >= this.hubDownUntil) {
          this.hubDownUntil = this.clock.now() + SKIP_HUB_AFTER_FAILURE_MS;
          this.logger.warn(`IoT Hub did not answer (${e.message}): signing with cached module identities for ${SKIP_HUB_AFTER_FAILURE_MS / 1000} s`);
        }
      }
    }
    return this.details(moduleId, entry);
  }

  private async setKeys(module: HubModule, managedBy?: string): Promise<ModuleIdentity> {
    if (!module.generationId) throw new NotFoundError(`IoT Hub returned module ${module.moduleId} without a generation id`);
    const keys = await this.keys.moduleKeys(module.moduleId, module.generationId);
    const updated = await this.hub.updateModule(
      module.moduleId,
      {
        symmetricKey: { primaryKey: keys.primary.toString('base64'), secondaryKey: keys.secondary.toString('base64') },
        type: 'sas',
      },
      managedBy,
    );
    const generationId = updated.generationId ?? module.generationId;
    await this.updateCache((cache) => void (cache[module.moduleId] = { generationId, managedBy: updated.managedBy ?? managedBy }));
    return toIdentity({ ...updated, generationId });
  }

  private details(moduleId: string, entry: CachedModule): ModuleIdentityDetails {
    return {
      moduleId,
      generationId: entry.generationId,
      managedBy: entry.managedBy ?? 'iotedge',
      authType: 'Sas',
      hubHostname: this.hub.device.hubHostname,
      gatewayHostname: this.hub.device.gatewayHostname,
      deviceId: this.hub.device.deviceId,
    };
  }

  private readCache() {
    return this.store.readModules(this.hub.device);
  }

  private async updateCache(change: (cache: Record<string, CachedModule>) => void): Promise<void> {
    await this.cacheLock.run(async () => {
      const cache = await this.readCache();
      change(cache);
      await this.store.writeModules(this.hub.device, cache);
    });
  }
}

function checkId(moduleId: string): void {
  if (typeof moduleId !== 'string' || !moduleId.trim()) {
    throw new BadRequestError('module name cannot be empty', { hint: 'give the module identity a name' });
  }
}

const AUTH_TYPES: Record<string, AuthType> = { none: 'None', sas: 'Sas', selfSigned: 'X509', certificateAuthority: 'X509' };

function toIdentity(m: HubModule): ModuleIdentity {
  return {
    moduleId: m.moduleId,
    managedBy: m.managedBy ?? 'iotedge',
    generationId: m.generationId ?? '',
    authType: AUTH_TYPES[m.authentication?.type ?? 'sas'] ?? 'Sas',
  };
}
