/** What the management API serves from, made of edged's parts. */
import type { ImageGcApi, ManagementContext, ModuleStatusOverlay } from '../api/management/context';
import type { IdentityManager } from '../identity/types';
import type { ModuleRuntime } from '../runtime/types';
import type { EdgedContext } from './context';

/** What the API asks of each part (the components' own shapes, said here so no component is imported). */
export interface ServedParts {
  runtime: ModuleRuntime;
  gc?: { service: ImageGcApi };
  identity?: { identities(): IdentityManager | undefined; reprovision(): Promise<void> };
  local?: { moduleStatus(name: string): ModuleStatusOverlay | undefined; reportedState(): Promise<object> };
}

/** The management API's view of edged's parts (also what tests that wire a part alone serve from). */
export function managementContext(
  ctx: Pick<EdgedContext, 'config' | 'logger' | 'clock' | 'deploymentLock'>,
  parts: ServedParts,
): ManagementContext {
  const { identity, local } = parts;
  return {
    runtime: parts.runtime,
    logger: ctx.logger,
    clock: ctx.clock,
    deploymentLock: ctx.deploymentLock,
    config: ctx.config,
    identities: identity && (() => identity.identities()),
    reprovision: identity && (() => identity.reprovision()),
    moduleStatus: local && ((name) => local.moduleStatus(name)),
    reportedState: local && (() => local.reportedState()),
    imageGc: parts.gc?.service,
  };
}
