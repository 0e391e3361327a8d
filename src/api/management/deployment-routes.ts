/** Not upstream: the local deployment's reported state, in every api-version. */
import { NotFoundError } from '../../errors';
import type { Route } from '../http/types';
import type { ManagementContext } from './context';

export function deploymentRoutes(ctx: ManagementContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/deployment/status',
      handler: async () => {
        if (!ctx.reportedState) {
          throw new NotFoundError('no local deployment', {
            hint: 'set [local_deployment] file = "..." in config.toml to have edged run a deployment itself',
          });
        }
        return { status: 200, body: await ctx.reportedState() };
      },
    },
  ];
}
