/** /identities: served by the identity component's IdentityManager once one is present. */
import { BadRequestError, NotImplementedError } from '../../errors';
import type { IdentityManager } from '../../identity/types';
import { checkModuleId } from '../../runtime/module-name';
import { optionalString } from '../http/body';
import type { Route } from '../http/types';
import { isObject } from '../../util/is-object';
import type { ManagementContext } from './context';

export function identityRoutes(ctx: ManagementContext): Route[] {
  const manager = (): IdentityManager => {
    const identities = ctx.identities?.();
    if (!identities) {
      throw new NotImplementedError('module identities are not available: this edged has no device identity', {
        hint: 'configure [provisioning] in config.toml (not needed with [local_deployment])',
      });
    }
    return identities;
  };
  const body = async (json: Promise<unknown>, required: string): Promise<Record<string, unknown>> => {
    const b = await json;
    if (!isObject(b)) throw new BadRequestError(`the request body must be a JSON object with "${required}"`);
    if (typeof b[required] !== 'string' || b[required] === '') {
      throw new BadRequestError(`"${required}" must be a non-empty string`);
    }
    return b;
  };
  return [
    {
      method: 'GET',
      path: '/identities/',
      handler: async () => ({ status: 200, body: { identities: await manager().list() } }),
    },
    {
      method: 'POST',
      path: '/identities/',
      handler: async (req) => {
        const m = manager();
        const b = await body(req.json(), 'moduleId');
        return { status: 200, body: await m.create(checkModuleId(b.moduleId as string), optionalString(b, 'managedBy')) };
      },
    },
    {
      method: 'PUT',
      path: '/identities/{name}',
      params: { name: checkModuleId },
      handler: async (req) => {
        const m = manager();
        const b = await body(req.json(), 'generationId');
        return {
          status: 200,
          body: await m.update(req.params.name, b.generationId as string, optionalString(b, 'managedBy')),
        };
      },
    },
    {
      method: 'DELETE',
      path: '/identities/{name}',
      params: { name: checkModuleId },
      handler: async (req) => {
        await manager().remove(req.params.name);
        return { status: 204 };
      },
    },
  ];
}
