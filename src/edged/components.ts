/**
 * The components edged runs besides the management API, and the runtime stack under them.
 * Factories run before the API listens (they may fill ctx slots); start() runs once the Docker
 * engine answers, in this order; stop() in reverse order on SIGTERM.
 *
 * Conventions:
 *  - a component named WORKLOAD_COMPONENT serves the workload socket(s); without one, edged
 *    serves a placeholder workload API that answers 501 to everything;
 *  - the agent fills ctx.moduleStatus / ctx.reportedState / ctx.desiredImages, the identity
 *    component ctx.identities / ctx.reprovision, the image GC ctx.imageGc.
 */
import { imageGcComponent } from './image-gc-component';
import { identityComponentFor } from './identity-component';
import { createLocalDeploymentComponent } from './local-deployment-component';
import type { Component, EdgedContext } from './context';

export const WORKLOAD_COMPONENT = 'workload';

export async function createComponents(ctx: EdgedContext): Promise<Component[]> {
  // The runtime stack, bottom up, each layer over the one below: Docker (ctx.runtime as the
  // daemon made it) → image-use tracking → workload sockets. The top is what the agent and the
  // management API use, set here once, before either runs.
  const gc = imageGcComponent(ctx, ctx.runtime);
  const identity = identityComponentFor(ctx, gc.runtime); // identity, keys, Edge CA, workload API, edgeAgent + watchdog (cloud mode)
  ctx.runtime = identity?.runtime ?? gc.runtime;
  const local = createLocalDeploymentComponent(ctx); // [local_deployment]: edged runs the manifest itself (fills moduleStatus, reportedState, desiredImages)
  return [gc, identity, local].filter((c): c is NonNullable<typeof c> => c !== undefined);
}
