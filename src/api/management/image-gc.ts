/**
 * Image garbage collection over the management API (not upstream routes, every api-version):
 *   GET  /images/gc                   settings, next run, last run (for `iotedge system status`)
 *   POST /images/prune[?dryRun=true]  runs a collection now (for `iotedge system prune-images`)
 */
import { BadRequestError, NotImplementedError } from '../../errors';
import type { ImageGcApi } from './context';
import type { Route } from '../http/types';

export function imageGcRoutes(gc: () => ImageGcApi | undefined): Route[] {
  const need = (): ImageGcApi => {
    const handle = gc();
    if (!handle) {
      throw new NotImplementedError('image garbage collection is not running in this edged', {
        hint: 'check the edged log for the image-gc component',
      });
    }
    return handle;
  };
  return [
    {
      method: 'GET',
      path: '/images/gc',
      handler: async () => ({ status: 200, body: await need().status() }),
    },
    {
      method: 'POST',
      path: '/images/prune',
      handler: async (req) => ({ status: 200, body: await need().run({ dryRun: parseBool(req.query.get('dryRun')) }) }),
    },
  ];
}

function parseBool(v: string | null): boolean {
  if (v === null || v === '' || v === 'false') return false;
  if (v === 'true') return true;
  throw new BadRequestError(`dryRun must be true or false, got "${v}"`, { hint: 'use ?dryRun=true' });
}
