/**
 * Modules of a [local_deployment] on a real engine get what edgeAgent would give them: with
 * [provisioning] an IoT Hub identity (with this device's derived keys), the IOTEDGE_* variables
 * and their workload socket directory, so a module signs its own SAS token from inside as an SDK
 * module does; without [provisioning] the socket and the variables that need no IoT Hub.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLocalDeploymentComponent, type LocalDeploymentComponent } from '../../../src/edged/local-deployment-component';
import { generateKey } from '../../../src/certs/keygen';
import { parseSuperConfig } from '../../../src/config/load';
import type { Component, EdgedContext } from '../../../src/edged/context';
import { identityComponent } from '../../../src/edged/identity-component';
import { KeyStore, deriveModuleKeys } from '../../../src/identity/keys';
import { DockerModuleRuntime } from '../../../src/runtime/docker/runtime';
import { systemClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';
import { startTestEngine, TestEngine } from '../../helpers/engine';
import { makeTestTls, startFakeIotHub } from '../../helpers/fake-iothub';
import { NODE_BINDS, fromInside } from '../../helpers/socket-request';
import { until } from '../../helpers/until';

const HUB = 'localhub.azure-devices.net';
const DEVICE = 'local-dev-1';
const CMD = ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'];

let engine: TestEngine;
beforeAll(async () => (engine = await startTestEngine({ images: ['edge-test/busybox:1'] })), 120_000);
afterAll(async () => {
  for (const c of (await engine?.docker.listContainers({ all: true })) ?? []) await engine.docker.getContainer(c.Id).remove({ force: true });
  await engine?.stop();
});

const deploymentJson = JSON.stringify({
  modulesContent: {
    $edgeAgent: {
      'properties.desired': {
        schemaVersion: '1.1',
        runtime: { type: 'docker' },
        modules: {
          sensor: {
            type: 'docker',
            status: 'running',
            restartPolicy: 'always',
            imagePullPolicy: 'never',
            settings: { image: 'edge-test/busybox:1', createOptions: JSON.stringify({ Cmd: CMD, HostConfig: { Binds: NODE_BINDS } }) },
            env: { IOTEDGE_DEVICEID: { value: 'spoofed' }, MINE: { value: 'kept' } },
          },
        },
      },
    },
  },
});

async function runEdged(home: string, toml: string, hubHost?: string, tlsCa?: string) {
  const config = parseSuperConfig(toml, { home });
  const logger = memoryLogger();
  const ctx: EdgedContext = {
    config,
    home,
    logger,
    clock: systemClock,
    docker: engine.docker,
    engine: new DockerModuleRuntime({ docker: engine.docker, logger: logger.child('runtime'), network: config.moby_runtime.network }),
    deploymentLock: new Mutex(),
    signal: new AbortController().signal,
    fatal: () => undefined,
  };
  // As createComponents wires them (without image GC): the agent runs on the identity layer.
  let local: LocalDeploymentComponent | undefined; // eslint-disable-line prefer-const -- read by a closure made before it is set
  const identity = identityComponent(ctx, ctx.engine, {
    moduleStatus: (name) => local?.moduleStatus(name),
    ...(hubHost ? { cloudTls: { ca: tlsCa! }, cloudHostOverride: { [HUB]: hubHost } } : {}),
    keySource: { take: () => generateKey('ec-p256'), close: () => undefined },
  });
  local = createLocalDeploymentComponent(ctx, identity.runtime)!;
  const components: Component[] = [identity, local];
  for (const c of components) await c.start();
  return { ctx, logger, stop: async () => void (await Promise.all([...components].reverse().map((c) => c.stop()))) };
}

const running = async (name: string) => {
  const c = await engine.docker.getContainer(name).inspect().catch(() => undefined);
  return c?.State.Running ? c : undefined;
};
const envOf = (list: string[]) => Object.fromEntries(list.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));

it('provisioned: the module gets an IoT Hub identity, the IOTEDGE_* environment and its socket, and signs from inside', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'local-id-'));
  const tls = makeTestTls();
  const deviceKey = randomBytes(32);
  const hub = await startFakeIotHub({ tls, hubHostname: HUB, deviceId: DEVICE, deviceKey });
  const file = path.join(home, 'deployment.json');
  writeFileSync(file, deploymentJson);
  const toml = `hostname = "edge-host"
[provisioning]
source = "manual"
connection_string = "HostName=${HUB};DeviceId=${DEVICE};SharedAccessKey=${deviceKey.toString('base64')}"
[local_deployment]
file = "${file}"
[moby_runtime]
uri = "${engine.host}"
[listen]
management_uri = "unix://${home}/mgmt.sock"
workload_uri = "unix://${home}/workload.sock"
`;
  const edged = await runEdged(home, toml, hub.host, tls.caPem);
  try {
    const c = await until(() => running('sensor'), 'sensor running');
    const identity = hub.modules.get('sensor');
    expect(identity).toMatchObject({ managedBy: 'iotedge' });
    const env = envOf(c.Config.Env);
    expect(env).toMatchObject({
      IOTEDGE_IOTHUBHOSTNAME: HUB,
      IOTEDGE_GATEWAYHOSTNAME: 'edge-host',
      IOTEDGE_DEVICEID: DEVICE,
      IOTEDGE_MODULEID: 'sensor',
      IOTEDGE_MODULEGENERATIONID: identity!.generationId,
      IOTEDGE_WORKLOADURI: 'unix:///var/run/iotedge/workload.sock',
      IOTEDGE_APIVERSION: '2022-08-03',
      IOTEDGE_AUTHSCHEME: 'sasToken',
      MINE: 'kept',
    });
    expect(c.Mounts).toContainEqual(expect.objectContaining({ Type: 'bind', Source: path.join(home, 'mnt', 'sensor'), Destination: '/var/run/iotedge', RW: false }));
    // IoT Hub holds the key edged derives, so the token the module signs is one IoT Hub accepts.
    const key = deriveModuleKeys((await KeyStore.under(home).read('master-identity'))!, 'sensor', identity!.generationId).primary;
    expect((identity!.authentication as { symmetricKey: { primaryKey: string } }).symmetricKey.primaryKey).toBe(key.toString('base64'));
    const socket = env.IOTEDGE_WORKLOADURI.replace('unix://', '');
    const signed = await fromInside(engine.host, 'sensor', socket, 'POST', `/modules/${env.IOTEDGE_MODULEID}/genid/${env.IOTEDGE_MODULEGENERATIONID}/sign?api-version=2019-01-30`, JSON.stringify({ keyId: 'primary', algo: 'HMACSHA256', data: Buffer.from('sr\nse').toString('base64') }));
    expect(signed).toEqual({ status: 200, body: JSON.stringify({ digest: createHmac('sha256', key).update('sr\nse').digest('base64') }) });
  } finally {
    await edged.stop();
    await hub.close();
    await engine.docker.getContainer('sensor').remove({ force: true }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}, 120_000);

it('not provisioned: the module gets its socket and the variables that need no IoT Hub; signing says why it cannot', async () => {
  const home = mkdtempSync(path.join(os.tmpdir(), 'local-noid-'));
  const file = path.join(home, 'deployment.json');
  writeFileSync(file, deploymentJson);
  const toml = `hostname = "edge-host"
[local_deployment]
file = "${file}"
[moby_runtime]
uri = "${engine.host}"
[listen]
management_uri = "unix://${home}/mgmt.sock"
workload_uri = "unix://${home}/workload.sock"
`;
  const edged = await runEdged(home, toml);
  try {
    const c = await until(() => running('sensor'), 'sensor running');
    const env = envOf(c.Config.Env);
    expect(env).toMatchObject({ IOTEDGE_MODULEID: 'sensor', IOTEDGE_WORKLOADURI: 'unix:///var/run/iotedge/workload.sock', IOTEDGE_APIVERSION: '2022-08-03', MINE: 'kept' });
    for (const k of ['IOTEDGE_IOTHUBHOSTNAME', 'IOTEDGE_GATEWAYHOSTNAME', 'IOTEDGE_MODULEGENERATIONID', 'IOTEDGE_AUTHSCHEME']) expect(env[k]).toBeUndefined();
    // The deployment's own value stays: nothing here knows a device id to put instead.
    expect(env.IOTEDGE_DEVICEID).toBe('spoofed');
    expect(c.Mounts).toContainEqual(expect.objectContaining({ Source: path.join(home, 'mnt', 'sensor'), Destination: '/var/run/iotedge', RW: false }));
    const trust = await fromInside(engine.host, 'sensor', '/var/run/iotedge/workload.sock', 'GET', '/trust-bundle?api-version=2019-01-30');
    expect(trust).toMatchObject({ status: 200 });
    const sign = await fromInside(engine.host, 'sensor', '/var/run/iotedge/workload.sock', 'POST', '/modules/sensor/genid/1/sign?api-version=2019-01-30', JSON.stringify({ keyId: 'primary', algo: 'HMACSHA256', data: 'aGk=' }));
    expect(sign).toMatchObject({ status: 501 });
    expect((sign as { body: string }).body).toMatch(/module identities are not available without \[provisioning\]/);
  } finally {
    await edged.stop();
    await engine.docker.getContainer('sensor').remove({ force: true }).catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}, 120_000);
