/**
 * What edged remembers about its identity under `<home>/identity`: the device it was provisioned
 * as (so a restart needs no cloud, and a change of hub or device id is noticed) and the module
 * identities it has seen (generation ids, for deriving module keys without asking IoT Hub).
 * No secrets live here; the keys are in the KeyStore.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/atomic-write';

export interface CachedDevice {
  source: 'manual' | 'dps';
  hubHostname: string;
  gatewayHostname: string;
  deviceId: string;
  /** DPS only: the registration this assignment answers. */
  registrationId?: string;
  /** DPS only: the scope, so that a new scope means a new registration. */
  idScope?: string;
}

export interface CachedModule {
  generationId: string;
  managedBy?: string;
}

interface ModulesFile {
  hubHostname: string;
  deviceId: string;
  modules: Record<string, CachedModule>;
}

export class IdentityStore {
  constructor(readonly dir: string) {}

  static under(home: string): IdentityStore {
    return new IdentityStore(path.join(home, 'identity'));
  }

  async readDevice(): Promise<CachedDevice | undefined> {
    return readJson<CachedDevice>(path.join(this.dir, 'device.json'));
  }

  async writeDevice(device: CachedDevice): Promise<void> {
    await writeFileAtomic(path.join(this.dir, 'device.json'), JSON.stringify(device, null, 2) + '\n', { mode: 0o600 });
  }

  async clearDevice(): Promise<void> {
    await fs.rm(path.join(this.dir, 'device.json'), { force: true });
    await fs.rm(path.join(this.dir, 'modules.json'), { force: true });
  }

  async readModules(device: { hubHostname: string; deviceId: string }): Promise<Record<string, CachedModule>> {
    const file = await readJson<ModulesFile>(path.join(this.dir, 'modules.json'));
    // Modules of another device are not ours any more.
    if (!file || file.hubHostname !== device.hubHostname || file.deviceId !== device.deviceId) return {};
    return file.modules ?? {};
  }

  async writeModules(device: { hubHostname: string; deviceId: string }, modules: Record<string, CachedModule>): Promise<void> {
    const file: ModulesFile = { hubHostname: device.hubHostname, deviceId: device.deviceId, modules };
    await writeFileAtomic(path.join(this.dir, 'modules.json'), JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  }
}

async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    // A torn or hand-edited cache is as good as none: it is rebuilt from the cloud.
    return undefined;
  }
}
