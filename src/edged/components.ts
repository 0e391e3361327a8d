/**
 * The components edged runs besides the management API, the runtime stack under them, and what
 * each gives the others, all wired here and nowhere else. Factories run before the API listens;
 * start() runs once the Docker engine answers, in list order; stop() in reverse on SIGTERM.
 *
 * A component named WORKLOAD_COMPONENT serves the workload socket(s); without one, edged serves a
 * placeholder workload API that answers 501 to everything.
 */
import type { ManagementContext } from '../api/management/context';
import type { Component, EdgedContext } from './context';
import { imageGcComponent } from './image-gc-component';
import { identityComponentFor } from './identity-component';
import { createLocalDeploymentComponent, type LocalDeploymentComponent } from './local-deployment-component';
import { managementContext } from './management-context';

export const WORKLOAD_COMPONENT = 'workload';

export interface EdgedParts {
  /** In start order. */
  components: Component[];
  /** What the management API serves from. */
  api: ManagementContext;
}

export async function createComponents(ctx: EdgedContext): Promise<EdgedParts> {
  // The local deployment's agent is made last, on the top of the stack; the collector and the
  // workload API ask it (what images it wants, a module's status) only once they run.
  let local: LocalDeploymentComponent | undefined; // eslint-disable-line prefer-const -- read by closures made before it is set
  // The runtime stack, bottom up, each layer over the one below: Docker → image-use tracking →
  // workload sockets. The top is what the agent and the management API use.
  const gc = imageGcComponent(ctx, ctx.engine, { desiredImages: () => local?.desiredImages() ?? [] });
  const identity = identityComponentFor(ctx, gc.runtime, { moduleStatus: (name) => local?.moduleStatus(name), api: () => api }); // identity, keys, Edge CA, workload API, edgeAgent + watchdog (cloud mode)
  const runtime = identity?.runtime ?? gc.runtime;
  local = createLocalDeploymentComponent(ctx, runtime, { gcReportedState: () => gc.service.reportedState() }); // [local_deployment]: edged runs the manifest itself
  const api = managementContext(ctx, { runtime, gc, identity, local });
  return { components: [gc, identity, local].filter((c): c is NonNullable<typeof c> => c !== undefined), api };
}
