/**
 * What the management API needs from edged, given by the composition root. An absent optional
 * part is one this edged does not run (no provisioning, no local deployment).
 */
import type { IdentityManager } from '../../identity/types';
import type { ModuleRuntime } from '../../runtime/types';
import type { SuperConfig } from '../../config/types';
import type { Clock } from '../../util/clock';
import type { Logger } from '../../util/log';
import type { GcReport, GcStatus } from './wire';
import type { Mutex } from '../../util/mutex';

export interface ModuleStatusOverlay {
  status: string;
  description?: string;
}

export interface ManagementContext {
  runtime: ModuleRuntime;
  logger: Logger;
  clock: Clock;
  /** Taken around pulls and creates, so image collection never races a deployment. */
  deploymentLock?: Mutex;
  /** Provisioning facts for /systeminfo. */
  config?: Pick<SuperConfig, 'provisioning' | 'auto_reprovisioning_mode'>;
  /** The module identities: undefined until the device is provisioned. */
  identities?: () => IdentityManager | undefined;
  /** The agent's view of a module (e.g. "backoff") when it knows better than the engine. */
  moduleStatus?: (name: string) => ModuleStatusOverlay | undefined;
  reportedState?: () => Promise<object>;
  reprovision?: () => Promise<void>;
  /** The image garbage collector (GET /images/gc, POST /images/prune). */
  imageGc?: ImageGcApi;
}

/** What the management API asks of the image garbage collector. */
export interface ImageGcApi {
  run(options?: { dryRun?: boolean }): Promise<GcReport>;
  status(): Promise<GcStatus>;
}
