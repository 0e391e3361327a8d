/**
 * Where the CLI finds edged, its configuration and the engine: inside the snap from the snap's
 * layout, on a development machine from the environment (documented in docs/config.md).
 */
import * as path from 'node:path';
import type { SnapOwnedKeys } from '../../config/apply';
import { snapName, snapPaths, type SnapPaths } from '../../snap/paths';
import { defaultConfigFile } from '../host';

export interface Where {
  inSnap: boolean;
  /** The super-config the config/check commands read by default. */
  configFile: string;
  /** The file edged reads (what `config apply` writes). */
  edgedConfig: string;
  edgedHome: string;
  /** daemon.json of the engine, when this appliance manages it (the snap). */
  daemonJson?: string;
  snap?: { name: string; paths: SnapPaths; owned: SnapOwnedKeys };
}

export function where(env: NodeJS.ProcessEnv): Where {
  const configFile = defaultConfigFile(env);
  if (env.SNAP_COMMON) {
    const paths = snapPaths(env.SNAP ?? '/snap/azure-iot-edge/current', env.SNAP_COMMON);
    return {
      inSnap: true,
      configFile,
      edgedConfig: paths.configFile,
      edgedHome: paths.edgedHome,
      daemonJson: paths.daemonJson,
      snap: {
        name: snapName(env),
        paths,
        owned: { dockerUri: `unix://${paths.dockerSock}`, managementUri: `unix://${paths.mgmtSock}`, workloadUri: `unix://${paths.workloadSock}` },
      },
    };
  }
  return {
    inSnap: false,
    configFile,
    edgedConfig: env.IOTEDGE_EDGED_CONFIG || configFile,
    edgedHome: env.IOTEDGE_EDGED_HOME || '/var/lib/aziot/edged',
    daemonJson: env.IOTEDGE_DAEMON_JSON || undefined,
  };
}

/** The service name snapctl knows edged by. */
export function edgedService(w: Where): string {
  return `${w.snap?.name ?? 'azure-iot-edge'}.iotedged`;
}

export function pidFileOf(w: Where): string {
  return path.join(w.edgedHome, 'edged.pid');
}
