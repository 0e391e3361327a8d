/** /systeminfo, /systeminfo/resources, /systeminfo/supportbundle, /device/reprovision. */
import { NotImplementedError } from '../../errors';
import type { SystemInfo } from '../../runtime/types';
import type { Route } from '../http/types';
import type { ManagementContext } from './context';
import { SINCE } from './versions';

export function systemRoutes(ctx: ManagementContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/systeminfo',
      handler: async (req) => ({
        status: 200,
        body: forVersion(withProvisioning(await ctx.runtime.systemInfo(), ctx), req.apiVersion),
      }),
    },
    {
      method: 'GET',
      path: '/systeminfo/resources',
      since: SINCE.systemResources,
      handler: async () => ({ status: 200, body: await ctx.runtime.systemResources() }),
    },
    {
      method: 'GET',
      path: '/systeminfo/supportbundle',
      since: SINCE.supportBundle,
      handler: async () => {
        throw new NotImplementedError('edged does not build support bundles over the management API', {
          hint: 'run `iotedge support-bundle` on the device instead',
        });
      },
    },
    {
      method: 'POST',
      path: '/device/reprovision',
      since: SINCE.reprovision,
      handler: async () => {
        if (!ctx.reprovision) {
          throw new NotImplementedError('reprovisioning is not available: this edged has no device provisioning', {
            hint: 'configure [provisioning] in config.toml',
          });
        }
        await ctx.reprovision();
        return { status: 200 };
      },
    },
  ];
}

/** Fields SystemInfo declares with their own type; from 2021-12-07 any other field must be a string. */
const TYPED_FIELDS = new Set(['osType', 'architecture', 'version', 'provisioning', 'server_version', 'kernel_version',
  'operating_system', 'cpus', 'virtualized']);

/**
 * 2021-12-07 declares `additionalProperties: string` but not yet `total_memory` (an integer from
 * 2022-08-03 on), so in that version, and for any field no version declares, numbers go as strings.
 */
function forVersion(info: SystemInfo, apiVersion: string): SystemInfo {
  if (apiVersion < '2021-12-07') return info;
  const typed = apiVersion >= '2022-08-03' ? new Set([...TYPED_FIELDS, 'total_memory']) : TYPED_FIELDS;
  const out: SystemInfo = { ...info };
  for (const [k, v] of Object.entries(info)) {
    if (!typed.has(k) && v !== undefined && typeof v !== 'string') out[k] = typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
  return out;
}

/** As upstream: the provisioning source and reprovisioning mode, when the device is provisioned. */
function withProvisioning(info: SystemInfo, ctx: ManagementContext): SystemInfo {
  const p = ctx.config?.provisioning;
  if (info.provisioning || !p) return info;
  const mode = ctx.config?.auto_reprovisioning_mode ?? 'Dynamic';
  return {
    ...info,
    provisioning: {
      type: p.source === 'dps' ? 'dps' : 'manual',
      dynamicReprovisioning: mode === 'Dynamic',
      alwaysReprovisionOnStartup: mode === 'AlwaysOnStartup',
    },
  };
}
