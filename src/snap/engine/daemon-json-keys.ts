/**
 * The keys dockerd reads from daemon.json (Docker 20.10 to 29: its flags' long names, plural for
 * the list flags, and the keys that have no flag). dockerd refuses to start on any other key,
 * and its keys are case-sensitive (`Data-Root` is not `data-root`): `docker.daemon` is checked
 * against this list at `snap set`, so such a key is refused there instead of leaving the engine
 * crash-looping.
 */
import { closest, distance } from 'fastest-levenshtein';

export const DAEMON_JSON_KEYS: readonly string[] = [
  'allow-direct-routing', 'allow-nondistributable-artifacts', 'api-cors-header', 'authorization-plugins',
  'bip', 'bip6', 'bridge', 'bridge-accept-fwmark', 'builder',
  'cdi-spec-dirs', 'cgroup-parent', 'cluster-advertise', 'cluster-store', 'cluster-store-opts',
  'containerd', 'containerd-namespace', 'containerd-plugins-namespace', 'cpu-rt-period', 'cpu-rt-runtime', 'cri-containerd',
  'data-root', 'debug', 'default-address-pools', 'default-cgroupns-mode', 'default-gateway', 'default-gateway-v6',
  'default-ipc-mode', 'default-network-opts', 'default-runtime', 'default-shm-size', 'default-ulimits',
  'dns', 'dns-opts', 'dns-search',
  'exec-opts', 'exec-root', 'experimental',
  'features', 'firewall-backend', 'fixed-cidr', 'fixed-cidr-v6',
  'group',
  'host-gateway-ip', 'host-gateway-ips', 'hosts', 'http-proxy', 'https-proxy',
  'icc', 'init', 'init-path', 'insecure-registries', 'ip', 'ip-forward', 'ip-forward-no-drop', 'ip-masq', 'ip6tables', 'iptables', 'ipv6', 'isolation',
  'labels', 'live-restore', 'log-driver', 'log-format', 'log-level', 'log-opts',
  'max-concurrent-downloads', 'max-concurrent-uploads', 'max-download-attempts', 'metrics-addr', 'min-api-version', 'mtu',
  'network-control-plane-mtu', 'no-new-privileges', 'no-proxy', 'node-generic-resources',
  'oom-score-adjust',
  'pidfile', 'proxies',
  'raw-logs', 'registry-mirrors', 'rootless', 'runtimes',
  'seccomp-profile', 'selinux-enabled', 'shutdown-timeout', 'storage-driver', 'storage-opts', 'swarm-default-advertise-addr',
  'tls', 'tlscacert', 'tlscert', 'tlskey', 'tlsverify',
  'userland-proxy', 'userland-proxy-path', 'userns-remap',
];

const KNOWN = new Set(DAEMON_JSON_KEYS);
const BY_LOWER = new Map(DAEMON_JSON_KEYS.map((k) => [k.toLowerCase(), k]));

/** What is wrong with a daemon.json key, or undefined when dockerd knows it as written. */
export function daemonKeyProblem(key: string): string | undefined {
  if (KNOWN.has(key)) return undefined;
  const sameButCase = BY_LOWER.get(key.toLowerCase());
  if (sameButCase) return `"${key}" is not dockerd's spelling: its keys are case-sensitive, write "${sameButCase}"`;
  const near = closest(key.toLowerCase(), DAEMON_JSON_KEYS);
  return `"${key}" is not a dockerd option${distance(key.toLowerCase(), near) <= 3 ? ` (did you mean "${near}"?)` : ''}`;
}

/** The key dockerd would read this one as, ignoring letter case (for the forbidden-key check). */
export function canonicalDaemonKey(key: string): string {
  return BY_LOWER.get(key.toLowerCase()) ?? key.toLowerCase();
}
