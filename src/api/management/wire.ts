/**
 * The management API's bodies as they travel, shared by edged's routes and the iotedge CLI's
 * client (ModuleDetails and ModuleSpec in managementVersion_2022_08_03.yaml).
 */
export interface ModuleSettings {
  image?: string;
  createOptions?: unknown;
  digest?: string;
  imageHash?: string;
}

export interface ModuleDetails {
  id: string;
  name: string;
  type: string;
  config: { settings: ModuleSettings; env?: EnvVar[] };
  status: {
    startTime?: string;
    exitStatus?: { exitTime: string; statusCode: string };
    runtimeStatus: { status: string; description?: string };
  };
}

export interface EnvVar {
  key: string;
  value: string;
}

/** What POST /modules and PUT /modules/{name} take; edged checks it field by field (module-spec.ts). */
export interface ModuleSpecBody {
  name: string;
  type: string;
  imagePullPolicy?: 'On-Create' | 'Never';
  config: { settings: ModuleSettings & { auth?: unknown }; env: EnvVar[] };
}
