/**
 * The snap's engine, private in every way a second engine on the same host could collide with
 * a Docker installed there: socket, pidfile, data-root, exec-root, its own containerd (run by the
 * dockerd service: containerd.ts; socket under the exec-root, own namespaces), default bridge
 * (pre-created under its own name) and address pool. Not private: the iptables chains (DOCKER,
 * DOCKER-ISOLATION-*), which every dockerd in the network namespace rebuilds (docs/snap.md).
 * Paths are flags (the user cannot move them); the rest is daemon.json, which `docker.daemon`
 * may extend.
 */
import type { SnapPaths } from '../paths';
import { EdgeError } from '../../errors';

/** The containerd namespaces of the snap's engine (its containerd is run by the dockerd service: src/supervisor/containerd.ts). */
export const CONTAINERD_NAMESPACE = 'azure-iot-edge';
export const CONTAINERD_PLUGINS_NAMESPACE = 'azure-iot-edge-plugins';
import { canonicalDaemonKey, daemonKeyProblem } from './daemon-json-keys';

export const BRIDGE_NAME = 'aziotbr0';
/** Far from docker's defaults (172.17-31.x, 192.168.x), so a host engine never hands them out too. */
export const ADDRESS_POOL = { base: '10.231.0.0/16', size: 24 };

/** Keys the snap sets as dockerd flags: daemon.json may not repeat them (dockerd would refuse). */
export const FLAG_KEYS = [
  'hosts',
  'pidfile',
  'data-root',
  'exec-root',
  'containerd',
  'containerd-namespace',
  'containerd-plugins-namespace',
] as const;

export function dockerdArgs(paths: SnapPaths): string[] {
  return [
    `--host=unix://${paths.dockerSock}`,
    `--pidfile=${paths.dockerPidfile}`,
    `--data-root=${paths.dockerDataRoot}`,
    `--exec-root=${paths.dockerExecRoot}`,
    `--config-file=${paths.daemonJson}`,
    // Never the host's /run/containerd/containerd.sock, which dockerd would otherwise pick up.
    `--containerd=${paths.containerdSock}`,
    // Belt and braces: should it ever reach a shared containerd, its objects stay apart.
    `--containerd-namespace=${CONTAINERD_NAMESPACE}`,
    `--containerd-plugins-namespace=${CONTAINERD_PLUGINS_NAMESPACE}`,
  ];
}

export type DaemonJson = Record<string, unknown>;

export function defaultDaemonJson(): DaemonJson {
  return {
    bridge: BRIDGE_NAME,
    'default-address-pools': [ADDRESS_POOL],
    'log-driver': 'json-file',
    'log-opts': { 'max-size': '10m', 'max-file': '3' },
    'shutdown-timeout': 15,
    // Modules keep running while a crashed engine restarts; a requested stop (snap stop, remove)
    // stops them first (stop-containers.ts), so nothing outlives the service.
    'live-restore': true,
  };
}

/** The snap's defaults with the user's `docker.daemon` object merged over them (top-level keys). */
export function mergeDaemonJson(user: unknown): DaemonJson {
  if (user === undefined || user === null || user === '') return defaultDaemonJson();
  let obj = user;
  if (typeof user === 'string') {
    try {
      obj = JSON.parse(user);
    } catch {
      throw new EdgeError('docker.daemon is not valid JSON', { hint: 'give a JSON object, e.g. {"log-level":"warn"}', exitCode: 2 });
    }
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
    throw new EdgeError('docker.daemon must be a JSON object', { hint: 'give a JSON object, e.g. {"log-level":"warn"}', exitCode: 2 });
  }
  // In any letter case: dockerd would not read "Data-Root" as data-root, but it must not pass as another key either.
  const clash = Object.keys(obj).filter((k) => (FLAG_KEYS as readonly string[]).includes(canonicalDaemonKey(k)));
  if (clash.length) {
    throw new EdgeError(`docker.daemon cannot set ${clash.join(', ')}: the snap keeps its engine's paths private`, {
      hint: 'remove those keys',
      exitCode: 2,
    });
  }
  const problems = Object.keys(obj).flatMap((k) => daemonKeyProblem(k) ?? []);
  if (problems.length) {
    throw new EdgeError(`docker.daemon: ${problems.join('; ')}`, {
      hint: 'dockerd would refuse to start with it; the engine keeps its current daemon.json',
      exitCode: 2,
    });
  }
  return { ...defaultDaemonJson(), ...(obj as DaemonJson) };
}
