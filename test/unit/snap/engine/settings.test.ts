import { snapPaths } from '../../../../src/snap/paths';
import { bridgeToCreate, ensureBridge } from '../../../../src/snap/engine/bridge';
import { ADDRESS_POOL, BRIDGE_NAME, dockerdArgs, mergeDaemonJson } from '../../../../src/snap/engine/settings';

const paths = snapPaths('/snap/azure-iot-edge/x1', '/var/snap/azure-iot-edge/common');

describe("the snap engine's settings", () => {
  it('keeps every path private to the snap', () => {
    expect(dockerdArgs(paths)).toEqual([
      '--host=unix:///var/snap/azure-iot-edge/common/run/docker.sock',
      '--pidfile=/var/snap/azure-iot-edge/common/run/docker.pid',
      '--data-root=/var/snap/azure-iot-edge/common/var/lib/docker',
      '--exec-root=/var/snap/azure-iot-edge/common/run/docker',
      '--config-file=/var/snap/azure-iot-edge/common/etc/docker/daemon.json',
      '--containerd=/var/snap/azure-iot-edge/common/run/docker/containerd/containerd.sock',
      '--containerd-namespace=azure-iot-edge',
      '--containerd-plugins-namespace=azure-iot-edge-plugins',
    ]);
    // containerd's socket lives under the exec-root and must fit a unix socket path (108 bytes).
    expect(paths.containerdSock.length).toBeLessThan(108);
    expect(paths.containerdSock.startsWith(paths.dockerExecRoot + '/')).toBe(true);
  });

  it('has its own bridge and address pool by default, docker.daemon merged over them', () => {
    expect(mergeDaemonJson(undefined)).toMatchObject({ bridge: BRIDGE_NAME, 'default-address-pools': [ADDRESS_POOL] });
    expect(mergeDaemonJson('{"log-level":"warn","bridge":"none"}')).toMatchObject({ 'log-level': 'warn', bridge: 'none' });
  });

  it('refuses docker.daemon keys that would move the engine out of the snap', () => {
    expect(() => mergeDaemonJson({ hosts: ['tcp://0.0.0.0:2375'] })).toThrow(/cannot set hosts/);
    expect(() => mergeDaemonJson('[1]')).toThrow(/must be a JSON object/);
    expect(() => mergeDaemonJson({ 'containerd-namespace': 'moby' })).toThrow(/cannot set containerd-namespace/);
    expect(() => mergeDaemonJson({ 'Exec-Root': '/run/x' })).toThrow(/cannot set Exec-Root/);
  });

  it('accepts every key dockerd documents, and only those, as written', () => {
    const keys = { 'log-level': 'warn', 'registry-mirrors': [], 'insecure-registries': [], 'default-ulimits': {}, proxies: {}, builder: {}, features: {}, dns: ['1.1.1.1'] };
    expect(mergeDaemonJson(keys)).toMatchObject(keys);
    expect(() => mergeDaemonJson({ Debug: true })).toThrow('docker.daemon: "Debug" is not dockerd\'s spelling: its keys are case-sensitive, write "debug"');
    expect(() => mergeDaemonJson({ 'x-unknown': 1, 'Bip': '10.1.0.1/24' })).toThrow(/"x-unknown" is not a dockerd option; "Bip" is not dockerd's spelling/);
  });

  it('creates only a bridge it owns', async () => {
    expect(bridgeToCreate({ bridge: 'aziotbr0' })).toBe('aziotbr0');
    expect(bridgeToCreate({ bridge: 'none' })).toBeUndefined();
    expect(bridgeToCreate({ bridge: 'docker0' })).toBeUndefined();
    const calls: string[][] = [];
    const missing = async (cmd: string, args: string[]) => {
      calls.push([cmd, ...args]);
      return { code: args[1] === 'show' && calls.length === 1 ? 1 : 0, stderr: '' };
    };
    expect(await ensureBridge('aziotbr0', missing)).toBe('created');
    expect(calls[1]).toEqual(['ip', 'link', 'add', 'name', 'aziotbr0', 'type', 'bridge']);
  });
});
