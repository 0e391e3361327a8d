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

/** Image garbage collection (not upstream routes): GET /images/gc answers a GcStatus, POST /images/prune a GcReport. */
export type KeepReason =
  | 'not-edge-owned'
  | 'in-use'
  | 'edge-agent'
  | 'desired'
  | 'in-flight'
  | 'recently-used';

export interface ReportedImage {
  id: string;
  tags: string[];
  size: number;
  /** ISO time of the last use edged recorded, for tracked images. */
  lastUsed?: string;
}

export type SkipReason = 'in-use' | 'used-since-planning' | 'in-flight' | 'already-gone' | 'error';

export interface GcReport {
  trigger: 'schedule' | 'manual';
  /** A dry run lists what a run would remove now and changes nothing. */
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** Removed images (would-be removed in a dry run). */
  removed: ReportedImage[];
  /** Images planned for removal that stayed, and why (e.g. a container started using one). */
  skipped: (ReportedImage & { reason: SkipReason; detail?: string })[];
  /** Edge-owned images kept, with the reason. */
  kept: (ReportedImage & { reason: KeepReason })[];
  /** Images on the engine that edged never pulled or created containers from: never touched. */
  foreignImages: number;
  /** Sum of the removed images' sizes as the engine reported them. */
  bytesFreed: number;
  /** Set when the run stopped early (e.g. the engine went away); what was done is still listed. */
  error?: string;
}

export interface GcStatus {
  enabled: boolean;
  settings: { cleanup_recurrence: string; image_age_cleanup_threshold: string; cleanup_time: string; startup_delay: string };
  trackedImages: number;
  running: boolean;
  nextRunAt?: string;
  lastRun?: GcReport;
}
