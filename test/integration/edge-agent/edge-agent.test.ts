/**
 * edgeAgent created as upstream creates it, on a real engine, inspected field by field; the
 * watchdog bringing it back; and a module container that signs data and fetches a server
 * certificate over its own workload socket, in its directory bound read-only.
 */
import { X509Certificate, createHmac, createPrivateKey } from 'node:crypto';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import { splitPem } from '../../../src/certs/x509';
import { KeyStore, deriveModuleKeys } from '../../../src/identity/keys';
import { startTestEngine, TestEngine } from '../../helpers/engine';
import { demuxDockerStream } from '../../contract/helpers/unix-client';
import { AGENT_IMAGE, DEVICE, HUB, Harness, eventually, startHarness } from './harness';

let engine: TestEngine;
let h: Harness;

beforeAll(async () => {
  engine = await startTestEngine({ images: ['edge-test/busybox:1', AGENT_IMAGE] });
  h = await startHarness(engine);
}, 120_000);

afterAll(async () => {
  await h?.stop();
  for (const c of (await engine?.docker.listContainers({ all: true })) ?? []) {
    await engine.docker.getContainer(c.Id).remove({ force: true });
  }
  await engine?.stop();
});

const inspect = (name: string) => engine.docker.getContainer(name).inspect();
const running = (name: string) => async () => ((await inspect(name)).State.Running ? await inspect(name) : undefined);

describe('edgeAgent (cloud mode)', () => {
  let info: Docker.ContainerInspectInfo;
  beforeAll(async () => {
    info = await eventually('edgeAgent running', running('edgeAgent'));
  });

  it('updates the $edgeAgent identity first, with its derived keys', async () => {
    const agentRequests = h.hub.requests.filter((r) => r.path.endsWith('/modules/$edgeAgent'));
    expect(agentRequests.map((r) => `${r.method} ${r.headers['if-match'] ?? '-'}`)).toEqual(['GET -', 'PUT *']);
    const master = (await KeyStore.under(h.home).read('master-identity'))!;
    const keys = deriveModuleKeys(master, '$edgeAgent', '638001');
    expect((agentRequests[1].body as { authentication: unknown }).authentication).toEqual({
      symmetricKey: { primaryKey: keys.primary.toString('base64'), secondaryKey: keys.secondary.toString('base64') },
      type: 'sas',
    });
  });

  it('has the upstream environment', () => {
    const env = Object.fromEntries(info.Config.Env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
    expect(env).toMatchObject({
      RuntimeLogLevel: 'debug',
      IOTEDGE_IOTHUBHOSTNAME: HUB,
      IOTEDGE_DEVICEID: DEVICE,
      IOTEDGE_MODULEID: '$edgeAgent',
      IOTEDGE_MODULEGENERATIONID: '638001',
      IOTEDGE_WORKLOADURI: 'unix:///var/run/iotedge/workload.sock',
      IOTEDGE_MANAGEMENTURI: 'unix:///var/run/iotedge/mgmt.sock',
      IOTEDGE_APIVERSION: '2022-08-03',
      IOTEDGE_AUTHSCHEME: 'sasToken',
      EdgeDeviceHostName: 'edge-host',
      IOTEDGE_WORKLOADLISTEN_MNTURI: `unix://${path.join(h.home, 'mnt')}`,
      Mode: 'iotedged',
      NetworkId: 'azure-iot-edge',
    });
    expect(env.IOTEDGE_GATEWAYHOSTNAME).toBeUndefined();
  });

  it('has the sockets bound, the network, the labels, the image and the command', async () => {
    expect(info.Name).toBe('/edgeAgent');
    expect(info.Config.Image).toBe(AGENT_IMAGE);
    expect(info.Config.Cmd).toEqual(['sleep', '3600']);
    // Its socket directory, serving both sockets: what survives edged restarting.
    expect(info.HostConfig.Binds).toEqual([`${h.home}/mnt/edgeAgent:/var/run/iotedge:ro`]);
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual(['azure-iot-edge']);
    expect(info.Config.Labels).toEqual({
      'net.azure-devices.edge.owner': 'Microsoft.Azure.Devices.Edge.Agent',
      'net.azure-devices.edge.original-image': AGENT_IMAGE,
      'net.azure-devices.edge.create-options': '{}',
      'net.azure-devices.edge.env': '{}',
    });
    expect(statSync(path.join(h.home, 'mnt', 'edgeAgent', 'workload.sock')).isSocket()).toBe(true);
    expect(statSync(path.join(h.home, 'mnt', 'edgeAgent', 'mgmt.sock')).isSocket()).toBe(true);
    expect(statSync(path.join(h.home, 'mnt', 'edgeAgent')).mode & 0o777).toBe(0o755);
    // Inside: both sockets, as sockets (not directories Docker made up).
    expect(engine.cli('exec', 'edgeAgent', 'sh', '-c', 'ls -l /var/run/iotedge/ | cut -c1').trim().split('\n').filter((l) => l !== 't')).toEqual(['s', 's']);
    expect(engine.cli('exec', 'edgeAgent', 'ls', '/var/run/iotedge/').trim().split(/\s+/).sort()).toEqual(['mgmt.sock', 'workload.sock']);
  });

  it('is started again by the watchdog when stopped, and recreated when gone', async () => {
    engine.cli('stop', '-t', '0', 'edgeAgent');
    expect((await inspect('edgeAgent')).State.Running).toBe(false);
    await h.clock.advance(60_000);
    const restarted = await eventually('edgeAgent started again', running('edgeAgent'));
    expect(restarted.Id).toBe(info.Id);

    engine.cli('rm', '-f', 'edgeAgent');
    await h.clock.advance(60_000);
    const recreated = await eventually('edgeAgent recreated', running('edgeAgent'));
    expect(recreated.Id).not.toBe(info.Id);
    expect(h.logs.some((l) => l.includes('Creating and starting Edge runtime module edgeAgent'))).toBe(true);
  });
});

describe('a module using its workload socket from inside its container', () => {
  it('signs data and gets a server certificate', async () => {
    const identity = await h.component.identities()!.create('signer');
    const script = `
const http = require('http');
const call = (path, body) => new Promise((resolve, reject) => {
  const req = http.request({ socketPath: '/var/run/iotedge/workload.sock', method: 'POST', path, headers: { 'content-type': 'application/json' } }, (res) => {
    let d = ''; res.on('data', (c) => (d += c)); res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(d) }));
  });
  req.on('error', reject); req.end(JSON.stringify(body));
});
(async () => {
  const g = process.env.GENID;
  const sign = await call('/modules/signer/genid/' + g + '/sign?api-version=2019-01-30', { keyId: 'primary', algo: 'HMACSHA256', data: Buffer.from('hello from inside').toString('base64') });
  const cert = await call('/modules/signer/genid/' + g + '/certificate/server?api-version=2019-01-30', { commonName: 'signer.local', expiration: new Date(Date.now() + 3600e3).toISOString() });
  const other = await call('/modules/edgeHub/genid/' + g + '/sign?api-version=2019-01-30', { keyId: 'primary', algo: 'HMACSHA256', data: 'aGk=' });
  process.stdout.write(JSON.stringify({ sign, cert, other: other.status }));
})().catch((e) => { console.error(e); process.exit(1); });`;
    await h.component.runtime.create({
      name: 'signer',
      type: 'docker',
      imagePullPolicy: 'never',
      env: { GENID: identity.generationId },
      config: {
        image: 'edge-test/busybox:1',
        createOptions: {
          Cmd: ['/usr/bin/node', '-e', script],
          HostConfig: {
            // The host's node and its libraries, read-only: a client that speaks HTTP over a unix socket;
            // and the socket file, as upstream's edgeAgent asks for it (edged binds the directory instead).
            Binds: ['/usr:/usr:ro', '/usr/lib:/lib:ro', '/usr/lib64:/lib64:ro', `${h.home}/mnt/signer.sock:/var/run/iotedge/workload.sock`],
          },
        },
      },
    });
    expect(statSync(path.join(h.home, 'mnt', 'signer', 'workload.sock')).isSocket()).toBe(true);
    const container = engine.docker.getContainer('signer');
    expect((await container.inspect()).HostConfig.Binds).toEqual(['/usr:/usr:ro', '/usr/lib:/lib:ro', '/usr/lib64:/lib64:ro', `${h.home}/mnt/signer:/var/run/iotedge:ro`]);
    await h.component.runtime.start('signer');
    const exit = (await container.wait()) as { StatusCode: number };
    const logs = demuxDockerStream(await container.logs({ stdout: true, stderr: true }));
    const out = logs.filter((f) => f.stream === 1).map((f) => f.text).join('');
    expect([exit.StatusCode, logs.filter((f) => f.stream === 2).map((f) => f.text).join('')]).toEqual([0, '']);
    const result = JSON.parse(out);

    const key = deriveModuleKeys((await KeyStore.under(h.home).read('master-identity'))!, 'signer', identity.generationId).primary;
    expect(result.sign).toEqual({ status: 200, body: { digest: createHmac('sha256', key).update('hello from inside').digest('base64') } });
    expect(result.other).toBe(403);

    expect(result.cert.status).toBe(201);
    const [leaf, ca] = splitPem(result.cert.body.certificate);
    const leafCert = new X509Certificate(leaf);
    expect(leafCert.subject).toBe('CN=signer.local');
    expect(leafCert.subjectAltName).toBe('DNS:signer.local, DNS:signer');
    expect(leafCert.verify(new X509Certificate(ca).publicKey)).toBe(true);
    expect(leafCert.checkPrivateKey(createPrivateKey(result.cert.body.privateKey.bytes))).toBe(true);

    await h.component.runtime.remove('signer');
    expect(() => statSync(path.join(h.home, 'mnt', 'signer'))).toThrow(/ENOENT/);
  });
});
