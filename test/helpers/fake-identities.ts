/** An in-memory IdentityManager for API tests (the real one talks to IoT Hub). */
import { NotFoundError } from '../../src/errors';
import type { IdentityManager, ModuleIdentity } from '../../src/identity/types';

export class FakeIdentityManager implements IdentityManager {
  readonly identities = new Map<string, ModuleIdentity>();
  private generation = 636463636967581550n;

  async list(): Promise<ModuleIdentity[]> {
    return [...this.identities.values()];
  }

  async create(moduleId: string, managedBy = 'iotedge'): Promise<ModuleIdentity> {
    const identity: ModuleIdentity = { moduleId, managedBy, generationId: String(this.generation++), authType: 'Sas' };
    this.identities.set(moduleId, identity);
    return identity;
  }

  async update(moduleId: string, generationId: string, managedBy = 'iotedge'): Promise<ModuleIdentity> {
    const identity: ModuleIdentity = { moduleId, managedBy, generationId, authType: 'Sas' };
    this.identities.set(moduleId, identity);
    return identity;
  }

  async remove(moduleId: string): Promise<void> {
    if (!this.identities.delete(moduleId)) throw new NotFoundError(`no module identity ${moduleId}`);
  }
}
