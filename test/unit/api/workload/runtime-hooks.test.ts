import { WorkloadSocketRuntime } from '../../../../src/api/workload/runtime-hooks';
import type { ModuleRuntime, ModuleSpec } from '../../../../src/runtime/types';

function recorder() {
  const calls: string[] = [];
  const inner = new Proxy({} as ModuleRuntime, {
    get: (_, prop: string) => {
      if (['create', 'start', 'restart', 'remove', 'stop'].includes(prop)) {
        return async (arg: ModuleSpec | string) => void calls.push(`runtime.${prop} ${typeof arg === 'string' ? arg : arg.name}`);
      }
      throw new Error(`fake runtime: ${prop} not implemented`);
    },
  });
  const sockets = {
    ensure: async (m: string) => void calls.push(`socket.ensure ${m}`),
    remove: async (m: string) => void calls.push(`socket.remove ${m}`),
  };
  return { calls, runtime: new WorkloadSocketRuntime(inner, sockets) };
}

describe('runtime with workload sockets', () => {
  it('creates the socket before the container is created or started, removes it after the module', async () => {
    const { calls, runtime } = recorder();
    await runtime.create({ name: 'm1', type: 'docker', config: { image: 'i', createOptions: {} }, env: {}, imagePullPolicy: 'never' });
    await runtime.start('m1');
    await runtime.stop('m1');
    await runtime.remove('m1');
    expect(calls).toEqual([
      'socket.ensure m1',
      'runtime.create m1',
      'socket.ensure m1',
      'runtime.start m1',
      'runtime.stop m1',
      'runtime.remove m1',
      'socket.remove m1',
    ]);
  });

  it('keeps the socket when the engine refuses the removal', async () => {
    const calls: string[] = [];
    const runtime = new WorkloadSocketRuntime(
      { remove: async () => Promise.reject(new Error('engine down')) } as unknown as ModuleRuntime,
      { ensure: async () => undefined, remove: async (m) => void calls.push(m) },
    );
    await expect(runtime.remove('m')).rejects.toThrow('engine down');
    expect(calls).toEqual([]);
  });
});

describe('binds of a module created through edged', () => {
  it('are the ones the socket hooks give back, the rest of the spec untouched', async () => {
    const created: ModuleSpec[] = [];
    const runtime = new WorkloadSocketRuntime({ create: async (spec: ModuleSpec) => void created.push(spec) } as unknown as ModuleRuntime, {
      ensure: async () => undefined,
      remove: async () => undefined,
      adaptBinds: async (m, binds) => binds.map((b) => (b === `/h/mnt/${m}.sock:/var/run/iotedge/workload.sock` ? `/h/mnt/${m}:/var/run/iotedge:ro` : b)),
    });
    const spec: ModuleSpec = {
      name: 'm1',
      type: 'docker',
      config: { image: 'i', createOptions: { Cmd: ['x'], HostConfig: { Binds: ['/d:/d', '/h/mnt/m1.sock:/var/run/iotedge/workload.sock'], Privileged: false } } },
      env: { A: '1' },
      imagePullPolicy: 'never',
    };
    await runtime.create(spec);
    expect(created[0]).toEqual({
      ...spec,
      config: { image: 'i', createOptions: { Cmd: ['x'], HostConfig: { Binds: ['/d:/d', '/h/mnt/m1:/var/run/iotedge:ro'], Privileged: false } } },
    });
    expect((spec.config.createOptions.HostConfig as { Binds: string[] }).Binds[1]).toBe('/h/mnt/m1.sock:/var/run/iotedge/workload.sock');
  });
});

describe('the identity component', () => {
  it('is the one edged treats as serving the workload sockets', async () => {
    const { IDENTITY_COMPONENT_NAME } = await import('../../../../src/edged/identity-component');
    const { WORKLOAD_COMPONENT } = await import('../../../../src/edged/components');
    expect(IDENTITY_COMPONENT_NAME).toBe(WORKLOAD_COMPONENT);
  });
});
