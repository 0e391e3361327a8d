/**
 * Where every CLI command finds edged, its configuration and the engine, in one order: `-c`
 * (the command's), then the environment (IOTEDGE_EDGED_CONFIG, IOTEDGE_EDGED_HOME), then the
 * snap's layout, then upstream's paths (documented in docs/config.md).
 */
import * as path from 'node:path';
import type { SnapOwnedKeys } from '../../config/apply';
import { snapName, snapPaths, type SnapPaths } from '../../snap/paths';

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
  if (env.SNAP_COMMON) {
    const paths = snapPaths(env.SNAP ?? '/snap/azure-iot-edge/current', env.SNAP_COMMON);
    return {
      inSnap: true,
      configFile: env.IOTEDGE_EDGED_CONFIG || paths.configFile,
      edgedConfig: paths.configFile,
      edgedHome: env.IOTEDGE_EDGED_HOME || paths.edgedHome,
      daemonJson: paths.daemonJson,
      snap: {
        name: snapName(env),
        paths,
        owned: { dockerUri: `unix://${paths.dockerSock}`, managementUri: `unix://${paths.mgmtSock}`, workloadUri: `unix://${paths.workloadSock}` },
      },
    };
  }
  const configFile = env.IOTEDGE_EDGED_CONFIG || '/etc/aziot/config.toml';
  return {
    inSnap: false,
    configFile,
    edgedConfig: configFile,
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
