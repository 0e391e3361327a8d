import type { FactDeps } from '../../src/cli/check/facts';
import type { EngineProbe } from '../../src/cli/check/types';

/** Fact sources for check tests: a healthy device unless a test says otherwise; no network. */
export function healthyDeps(dir: string, over: Partial<FactDeps> = {}): FactDeps {
  const engine: EngineProbe = {
    info: async () => ({ serverVersion: '26.1.3', rootDir: '/var/lib/docker', loggingDriver: 'json-file' }),
    hasImage: async () => true,
  };
  return {
    configFile: `${dir}/config.toml`,
    edgedConfig: `${dir}/config.toml`,
    edgedHome: `${dir}/edged`,
    daemonJsonPath: `${dir}/daemon.json`,
    inSnap: false,
    engineFor: () => engine,
    tlsConnect: async () => undefined,
    referenceTime: async () => new Date(Date.UTC(2026, 0, 31, 12)),
    diskSpace: async () => ({ freeBytes: 50 * 1024 ** 3, totalBytes: 100 * 1024 ** 3 }),
    machineHostname: () => 'my-device',
    now: () => new Date(Date.UTC(2026, 0, 31, 12)),
    listModules: async () => ['edgeAgent'],
    edgedStarted: async () => new Date(Date.UTC(2100, 0, 1)),
    ...over,
  };
}

export const HEALTHY_CONFIG = `hostname = "my-device"
[provisioning]
source = "manual"
connection_string = "HostName=hub.azure-devices.net;DeviceId=d;SharedAccessKey=YXppb3QtaWRlbnRpdHktc2VydmljZXxhemlvdC1pZGU="
[edge_ca]
cert = "file:///certs/ca.pem"
pk = "file:///certs/ca.key.pem"
`;

export const HEALTHY_DAEMON_JSON = JSON.stringify({ dns: ['1.1.1.1'], 'log-driver': 'json-file', 'log-opts': { 'max-size': '10m', 'max-file': '3' } });
