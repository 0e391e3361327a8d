/** /modules: list, create, get, update, delete, start/stop/restart, prepareupdate, logs. */
import { BadRequestError } from '../../errors';
import { checkModuleName } from '../../runtime/module-name';
import type { ModuleSpec } from '../../runtime/types';
import type { ApiRequest, Reply, Route } from '../http/types';
import type { ManagementContext } from './context';
import { parseLogOptions } from './log-options';
import { listModuleDetails, moduleDetails } from './module-details';
import { parseModuleSpec } from './module-spec';
import { SINCE } from './versions';

const NAME = { name: (v: string) => checkModuleName(v) };

export function moduleRoutes(ctx: ManagementContext): Route[] {
  const locked = <T>(fn: () => Promise<T>): Promise<T> => (ctx.deploymentLock ? ctx.deploymentLock.run(fn) : fn());
  const details = async (name: string) => moduleDetails(await ctx.runtime.get(name), ctx.moduleStatus?.(name));
  const log = ctx.logger;

  const action = (verb: 'start' | 'stop' | 'restart'): Route => ({
    method: 'POST',
    path: `/modules/{name}/${verb}`,
    params: NAME,
    handler: async (req) => {
      const name = req.params.name;
      if (verb === 'start') await ctx.runtime.start(name);
      else if (verb === 'stop') await ctx.runtime.stop(name);
      else await ctx.runtime.restart(name);
      log.info(`module ${name}: ${verb} requested over the management API`);
      return { status: 204 };
    },
  });

  return [
    {
      method: 'GET',
      path: '/modules',
      handler: async () => ({ status: 200, body: await listModuleDetails(ctx) }),
    },
    {
      method: 'POST',
      path: '/modules',
      handler: async (req) => {
        const spec = parseModuleSpec(await req.json());
        // The runtime pulls first when the policy says so, as upstream's create does.
        const created = await locked(() => ctx.runtime.create(spec));
        log.info(`module ${spec.name}: created over the management API`);
        return { status: 201, body: moduleDetails(created, ctx.moduleStatus?.(spec.name)) };
      },
    },
    {
      method: 'GET',
      path: '/modules/{name}',
      params: NAME,
      handler: async (req) => ({ status: 200, body: await details(req.params.name) }),
    },
    {
      method: 'PUT',
      path: '/modules/{name}',
      params: NAME,
      handler: (req) => updateModule(ctx, req, locked, details),
    },
    {
      method: 'DELETE',
      path: '/modules/{name}',
      params: NAME,
      handler: async (req) => {
        await locked(() => ctx.runtime.remove(req.params.name));
        log.info(`module ${req.params.name}: removed over the management API`);
        return { status: 204 };
      },
    },
    {
      method: 'POST',
      path: '/modules/{name}/prepareupdate',
      params: NAME,
      since: SINCE.prepareUpdate,
      handler: async (req) => {
        const spec = parseModuleSpec(await req.json());
        checkSameName(req.params.name, spec);
        // Upstream pulls the new image ahead of the update, so the update itself is quick.
        if (spec.imagePullPolicy === 'on-create') await locked(() => ctx.runtime.pull(spec.config));
        return { status: 204 };
      },
    },
    action('start'),
    action('stop'),
    action('restart'),
    {
      method: 'GET',
      path: '/modules/{name}/logs',
      params: NAME,
      handler: async (req) => {
        const options = parseLogOptions(req.query, ctx.clock.now());
        const stream = await ctx.runtime.logs(req.params.name, options);
        req.signal.addEventListener('abort', () => stream.destroy(), { once: true });
        // Docker's frames (multiplexed unless the container has a TTY) are passed through untouched.
        return { status: 200, stream, contentType: 'application/octet-stream' };
      },
    },
  ];
}

function checkSameName(pathName: string, spec: ModuleSpec): void {
  if (spec.name !== pathName) {
    throw new BadRequestError(`module spec name "${spec.name}" does not match "${pathName}" in the path`, {
      hint: 'send the spec to /modules/<its name>',
    });
  }
}

/** As upstream: stop, remove, create from the new spec, then start when `?start=true`. */
async function updateModule(
  ctx: ManagementContext,
  req: ApiRequest,
  locked: <T>(fn: () => Promise<T>) => Promise<T>,
  details: (name: string) => Promise<unknown>,
): Promise<Reply> {
  const name = req.params.name;
  const startParam = req.query.get('start');
  if (startParam !== null && !['', 'true', 'false'].includes(startParam)) {
    throw new BadRequestError(`invalid parameter: start (${JSON.stringify(startParam)})`, { hint: 'use true or false' });
  }
  const start = startParam === '' || startParam === 'true';
  const spec = parseModuleSpec(await req.json());
  checkSameName(name, spec);
  await locked(async () => {
    // The old container must exist (404 otherwise), and the new image is pulled while the old
    // module still runs: a failed pull leaves it untouched.
    await ctx.runtime.get(name);
    if (spec.imagePullPolicy === 'on-create') await ctx.runtime.pull(spec.config);
    await ctx.runtime.stop(name);
    await ctx.runtime.remove(name);
    await ctx.runtime.create({ ...spec, imagePullPolicy: 'never' });
  });
  ctx.logger.info(`module ${name}: updated over the management API`);
  if (start) {
    try {
      await ctx.runtime.start(name);
    } catch (e) {
      // As upstream: the update stands even when the start fails; the status tells.
      ctx.logger.warn(`module ${name}: updated but could not be started: ${(e as Error).message}`);
    }
  }
  return { status: 200, body: await details(name) };
}
