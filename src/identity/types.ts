/** Module identities, as the management API's identity routes and the agent see them. */
export type AuthType = 'None' | 'Sas' | 'X509';

export interface ModuleIdentity {
  moduleId: string;
  managedBy: string;
  generationId: string;
  authType: AuthType;
}

export interface IdentityManager {
  list(): Promise<ModuleIdentity[]>;
  create(moduleId: string, managedBy?: string): Promise<ModuleIdentity>;
  update(moduleId: string, generationId: string, managedBy?: string): Promise<ModuleIdentity>;
  remove(moduleId: string): Promise<void>;
}
