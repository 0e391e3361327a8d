/** The management API: routes of every upstream version on one HttpApi. */
import { HttpApi } from '../http/server';
import type { Route } from '../http/types';
import type { ManagementContext } from './context';
import { deploymentRoutes } from './deployment-routes';
import { identityRoutes } from './identity-routes';
import { imageGcRoutes } from './image-gc';
import { moduleRoutes } from './module-routes';
import { systemRoutes } from './system-routes';
import { MANAGEMENT_API_VERSIONS } from './versions';

/** Upstream: the socket is for root and the iotedge group. */
export const MANAGEMENT_SOCKET_MODE = 0o660;

export function managementRoutes(ctx: ManagementContext): Route[] {
  return [
    ...moduleRoutes(ctx),
    ...identityRoutes(ctx),
    ...systemRoutes(ctx),
    ...deploymentRoutes(ctx),
    ...imageGcRoutes(() => ctx.imageGc),
  ];
}

export function createManagementApi(ctx: ManagementContext): HttpApi {
  return new HttpApi(
    { name: 'management', versions: MANAGEMENT_API_VERSIONS, routes: managementRoutes(ctx) },
    ctx.logger.child('mgmt'),
  );
}

export type { ManagementContext, ModuleStatusOverlay } from './context';
export type { ModuleDetails, ModuleSpecBody } from './wire';
export { moduleDetails } from './module-details';
export { parseModuleSpec } from './module-spec';
export { parseTimeSpec } from './time-spec';
export { MANAGEMENT_API_VERSIONS, DEFAULT_MANAGEMENT_API_VERSION } from './versions';
export type { ManagementApiVersion } from './versions';
