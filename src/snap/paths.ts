/** Where the snap keeps everything (shared layout: see the project's conventions). */
import * as path from 'node:path';
import { EdgeError } from '../errors';

export interface SnapPaths {
  /** $SNAP: the read-only snap tree. */
  snap: string;
  /** $SNAP_COMMON: state kept across revisions. */
  common: string;
  configFile: string;
  configDropIns: string;
  deploymentCopy: string;
  /** The log level last applied (snap option log-level): a change restarts iotedged. */
  logLevelFile: string;
  /** The files cs-file / deployment-file pointed at when last applied (applied.ts), 0600. */
  appliedFile: string;
  /** A rejected provisioning file (src/snap/provisioning-import.ts): the health until it is fixed. */
  provisioningError: string;
  edgedHome: string;
  /** edged's reported state (the agent's reported-state.json in its home): the supervisors read it for the health. */
  edgedReportedState: string;
  /** edged's record of an engine outage (src/util/engine-outage-record.ts): the dockerd service marks its planned stops there. */
  edgedEngineOutage: string;
  runDir: string;
  mgmtSock: string;
  workloadSock: string;
  dockerSock: string;
  dockerPidfile: string;
  dockerDataRoot: string;
  dockerExecRoot: string;
  daemonJson: string;
  /** The engine's own containerd (never a host's /run/containerd/containerd.sock). */
  containerdSock: string;
  containerdRoot: string;
  containerdState: string;
  containerdConfig: string;
  /** Written by the supervisor: a restarted supervisor adopts the containerd it names. */
  containerdPidfile: string;
}

export function snapPaths(snap: string, common: string): SnapPaths {
  const etc = path.join(common, 'etc');
  const run = path.join(common, 'run');
  return {
    snap,
    common,
    configFile: path.join(etc, 'aziot', 'config.toml'),
    configDropIns: path.join(etc, 'aziot', 'config.d'),
    deploymentCopy: path.join(etc, 'aziot', 'deployment.json'),
    logLevelFile: path.join(etc, 'aziot', 'log-level'),
    appliedFile: path.join(etc, 'aziot', 'applied-options.json'),
    provisioningError: path.join(etc, 'aziot', 'provisioning-error.json'),
    edgedHome: path.join(common, 'var', 'lib', 'aziot', 'edged'),
    edgedReportedState: path.join(common, 'var', 'lib', 'aziot', 'edged', 'reported-state.json'),
    edgedEngineOutage: path.join(common, 'var', 'lib', 'aziot', 'edged', 'engine-outage.json'),
    runDir: run,
    mgmtSock: path.join(run, 'iotedge', 'mgmt.sock'),
    workloadSock: path.join(run, 'iotedge', 'workload.sock'),
    dockerSock: path.join(run, 'docker.sock'),
    dockerPidfile: path.join(run, 'docker.pid'),
    dockerDataRoot: path.join(common, 'var', 'lib', 'docker'),
    dockerExecRoot: path.join(run, 'docker'),
    daemonJson: path.join(etc, 'docker', 'daemon.json'),
    // Under the exec-root: a unix socket path must stay under 108 bytes.
    containerdSock: path.join(run, 'docker', 'containerd', 'containerd.sock'),
    containerdRoot: path.join(common, 'var', 'lib', 'containerd'),
    containerdState: path.join(run, 'docker', 'containerd-state'),
    containerdConfig: path.join(run, 'docker', 'containerd', 'config.toml'),
    containerdPidfile: path.join(run, 'docker', 'containerd', 'containerd.pid'),
  };
}

/** From the environment snapd gives hooks and apps. */
export function snapPathsFromEnv(env: NodeJS.ProcessEnv = process.env): SnapPaths {
  const snap = env.SNAP;
  const common = env.SNAP_COMMON;
  if (!snap || !common) {
    throw new EdgeError('SNAP and SNAP_COMMON are not set', { hint: 'run this from inside the azure-iot-edge snap' });
  }
  return snapPaths(snap, common);
}

export function snapName(env: NodeJS.ProcessEnv = process.env): string {
  return env.SNAP_INSTANCE_NAME || env.SNAP_NAME || 'azure-iot-edge';
}
