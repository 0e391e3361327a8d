import { agentSpec } from '../../../../src/edged/edge-agent/spec';
import { Watchdog, watchdogAction } from '../../../../src/edged/edge-agent/watchdog';
import { NotFoundError } from '../../../../src/errors';
import type { Module } from '../../../../src/runtime/types';
import { FakeClock, flushMicrotasks } from '../../../../src/util/clock';
import { memoryLogger } from '../../../../src/util/log';

const agent = {
  name: 'edgeAgent',
  type: 'docker' as const,
  imagePullPolicy: 'on-create' as const,
  config: {
    image: 'mcr.microsoft.com/azureiotedge-agent:1.5',
    createOptions: { HostConfig: { Binds: ['/data:/data'] }, Labels: { mine: 'x', 'net.azure-devices.edge.owner': 'someone' } },
    auth: { serveraddress: 'r.io', username: 'u', password: 'p' },
  },
  env: { RuntimeLogLevel: 'debug', IOTEDGE_DEVICEID: 'not-mine' },
};

describe('edgeAgent spec', () => {
  it('is upstream\'s: env over the user\'s, socket binds, network, reserved labels', () => {
    const spec = agentSpec({
      agent,
      device: { hubHostname: 'h.net', gatewayHostname: 'parent', deviceId: 'd1' },
      generationId: 'g1',
      hostname: 'host1',
      managementSocket: '/home/mgmt.sock',
      socketDir: '/home/mnt/edgeAgent',
      workloadMountDir: '/home/mnt',
      network: 'azure-iot-edge',
    });
    expect(spec.env).toEqual({
      RuntimeLogLevel: 'debug',
      NetworkId: 'azure-iot-edge',
      EdgeDeviceHostName: 'host1',
      IOTEDGE_APIVERSION: '2022-08-03',
      IOTEDGE_AUTHSCHEME: 'sasToken',
      IOTEDGE_DEVICEID: 'd1',
      IOTEDGE_IOTHUBHOSTNAME: 'h.net',
      IOTEDGE_GATEWAYHOSTNAME: 'parent',
      IOTEDGE_MODULEID: '$edgeAgent',
      IOTEDGE_MODULEGENERATIONID: 'g1',
      IOTEDGE_WORKLOADURI: 'unix:///var/run/iotedge/workload.sock',
      IOTEDGE_MANAGEMENTURI: 'unix:///var/run/iotedge/mgmt.sock',
      IOTEDGE_WORKLOADLISTEN_MNTURI: 'unix:///home/mnt',
      Mode: 'iotedged',
    });
    expect(spec.config.createOptions).toEqual({
      // Its socket directory (workload.sock and mgmt.sock), not the files: it survives edged restarting.
      HostConfig: { Binds: ['/data:/data', '/home/mnt/edgeAgent:/var/run/iotedge:ro'] },
      NetworkingConfig: { EndpointsConfig: { 'azure-iot-edge': {} } },
      Labels: {
        mine: 'x',
        'net.azure-devices.edge.owner': 'Microsoft.Azure.Devices.Edge.Agent',
        'net.azure-devices.edge.create-options': '{}',
        'net.azure-devices.edge.env': '{}',
        'net.azure-devices.edge.original-image': 'mcr.microsoft.com/azureiotedge-agent:1.5',
      },
    });
    expect(spec.config.auth).toEqual(agent.config.auth);
    expect(agent.config.createOptions.HostConfig.Binds).toEqual(['/data:/data']);
  });

  it('has no IOTEDGE_GATEWAYHOSTNAME without a parent', () => {
    const spec = agentSpec({
      agent: { ...agent, env: {} },
      device: { hubHostname: 'H.net', gatewayHostname: 'h.net', deviceId: 'd1' },
      generationId: 'g',
      hostname: 'x',
      managementSocket: '/m',
      socketDir: '/w',
      workloadMountDir: '/mnt',
      containerWorkloadSocket: '/run/w.sock',
      network: 'n',
    });
    expect(spec.env.IOTEDGE_GATEWAYHOSTNAME).toBeUndefined();
    expect(spec.env.IOTEDGE_WORKLOADURI).toBe('unix:///run/w.sock');
    // [connect] puts the two sockets in different directories: the management socket is bound as a file.
    expect((spec.config.createOptions.HostConfig as { Binds: string[] }).Binds).toEqual(['/data:/data', '/m:/var/run/iotedge/mgmt.sock', '/w:/run:ro']);
  });
});

describe('watchdog', () => {
  it.each([
    [undefined, 'create'],
    ['running', 'none'],
    ['stopped', 'start'],
    ['failed', 'start'],
    ['dead', 'recreate'],
    ['unknown', 'recreate'],
  ])('status %s → %s', (status, action) => expect(watchdogAction(status)).toBe(action));

  function fakeRuntime() {
    const calls: string[] = [];
    let status: string | undefined;
    return {
      calls,
      set: (s: string | undefined) => (status = s),
      runtime: {
        get: async (name: string) => {
          if (status === undefined) throw new NotFoundError(`Module ${name} not found`);
          return { name, state: { status } } as unknown as Module;
        },
        start: async (name: string) => void calls.push(`start ${name}`),
        remove: async (name: string) => void calls.push(`remove ${name}`),
      },
    };
  }

  it('checks at once and then every 60 s, acting on what it finds', async () => {
    const clock = new FakeClock();
    const rt = fakeRuntime();
    const wd = new Watchdog({
      runtime: rt.runtime,
      agentName: 'edgeAgent',
      createAndStart: async () => void (rt.calls.push('create+start'), rt.set('running')),
      maxRetries: 'infinite',
      clock,
      logger: memoryLogger(),
    });
    const aborter = new AbortController();
    const done = wd.run(aborter.signal);
    await flushMicrotasks();
    expect(rt.calls).toEqual(['create+start']);
    rt.set('stopped');
    await clock.advance(59_000);
    expect(rt.calls).toEqual(['create+start']);
    await clock.advance(1_000);
    expect(rt.calls).toEqual(['create+start', 'start edgeAgent']);
    rt.set('dead');
    await clock.advance(60_000);
    expect(rt.calls).toEqual(['create+start', 'start edgeAgent', 'remove edgeAgent', 'create+start']);
    aborter.abort();
    await done;
  });

  it('gives up once the retry budget is spent', async () => {
    const clock = new FakeClock();
    const rt = fakeRuntime();
    const wd = new Watchdog({
      runtime: rt.runtime,
      agentName: 'edgeAgent',
      createAndStart: async () => {
        throw new Error('IoT Hub unreachable');
      },
      maxRetries: 2,
      clock,
      logger: memoryLogger(),
    });
    let failure: Error | undefined;
    const done = wd.run(new AbortController().signal).catch((e) => (failure = e));
    await flushMicrotasks();
    expect(wd.errorCount).toBe(1);
    expect(failure).toBeUndefined();
    await clock.advance(60_000);
    await done;
    expect(failure?.message).toBe('Watchdog error count has exceeded allowed retries (2)');
  });
});
