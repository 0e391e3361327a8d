/**
 * The components edged runs besides the management API, one line each. Factories run before
 * the API listens (they may wrap ctx.runtime or fill ctx slots); start() runs once the Docker
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
  const components: (Component | undefined)[] = [
    imageGcComponent(ctx), // image GC; first, so its image-use tracking wraps the bare runtime before others wrap it
    identityComponentFor(ctx), // identity, keys, Edge CA, workload API, edgeAgent + watchdog (cloud mode)
    createLocalDeploymentComponent(ctx), // [local_deployment]: edged runs the manifest itself (fills moduleStatus, reportedState, desiredImages)
  ];
  void ctx;
  return components.filter((c): c is Component => c !== undefined);
}
