/**
 * `iotedge check` against a real private engine, with the network "down": the IoT Hub
 * connector and the time server are loopback endpoints that never answer (no traffic leaves
 * 127.0.0.0/8), so the probes run into their timeouts exactly as on a device without network.
 */
import * as dgram from 'node:dgram';
import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCommand } from '../../../src/cli/commands/check';
import { engineProbe, sntpTime, statfsSpace, tlsHandshake } from '../../../src/cli/check/probes';
import { dockerDiagnostics } from '../../../src/runtime/docker/diagnostics';
import { capturedContext } from '../../helpers/cli';
import { startTestEngine, type TestEngine } from '../../helpers/engine';

describe('iotedge check on a device without network', () => {
  let engine: TestEngine;
  let dir: string;
  let silentTcp: net.Server;
  let silentUdp: dgram.Socket;
  const sockets: net.Socket[] = [];

  beforeAll(async () => {
    engine = await startTestEngine();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'check-int-'));
    silentTcp = net.createServer((s) => sockets.push(s)); // accepts, never speaks TLS
    await new Promise<void>((r) => silentTcp.listen(0, '127.0.0.1', r));
    silentUdp = dgram.createSocket('udp4');
    await new Promise<void>((r) => silentUdp.bind(0, '127.0.0.1', r));
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    silentTcp.close();
    silentUdp.close();
    await engine?.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it("asks the engine itself through Docker's diagnostics: info, version, and a missing image is false, not an error", async () => {
    const diagnostics = dockerDiagnostics(engine.host, { timeoutMs: 5000 });
    expect((await diagnostics.info()).DockerRootDir).toEqual(expect.any(String));
    expect((await diagnostics.version()).ApiVersion).toEqual(expect.any(String));
    expect(await diagnostics.hasImage('edge-test/busybox:1')).toBe(true);
    expect(await diagnostics.hasImage('edge-test/absent:1')).toBe(false);
    expect(() => dockerDiagnostics('ftp://nowhere', { timeoutMs: 5000 })).toThrow(/Unsupported Docker engine URI/);
  });

  it('answers within the probe timeouts, with warnings that say why', async () => {
    const config = path.join(dir, 'config.toml');
    await fs.writeFile(
      config,
      `hostname = "${os.hostname()}"\n[provisioning]\nsource = "manual"\nconnection_string = "HostName=hub.azure-devices.net;DeviceId=d;SharedAccessKey=YXppb3QtaWRlbnRpdHktc2VydmljZXxhemlvdC1pZGU="\n[agent.config]\nimage = "edge-test/busybox:1"\n[moby_runtime]\nuri = "${engine.host}"\n`,
    );
    await fs.writeFile(path.join(dir, 'daemon.json'), JSON.stringify({ dns: ['127.0.0.53'], 'log-opts': { 'max-size': '10m', 'max-file': '3' } }));
    const tcpPort = (silentTcp.address() as net.AddressInfo).port;
    const udpPort = silentUdp.address().port;
    const { ctx, stdout } = capturedContext({
      now: () => Date.now(),
      host: `unix://${dir}/mgmt.sock`,
      runtime: () => {
        throw new Error('not used');
      },
    });
    const handshake = tlsHandshake(2000);
    const started = Date.now();
    await checkCommand({ output: 'text', warningsAsErrors: false, ntpServer: '127.0.0.1' }, ctx, {
      configFile: config,
      edgedConfig: config,
      edgedHome: path.join(dir, 'edged'),
      daemonJsonPath: path.join(dir, 'daemon.json'),
      inSnap: false,
      engineFor: (uri) => engineProbe(dockerDiagnostics(uri, { timeoutMs: 3000 })),
      tlsConnect: (_host, _port) => handshake('127.0.0.1', tcpPort),
      referenceTime: sntpTime('127.0.0.1', 2000, udpPort),
      diskSpace: statfsSpace,
      machineHostname: () => os.hostname(),
      now: () => new Date(),
      listModules: async () => [],
      edgedStarted: async () => undefined,
    }).catch((e: Error) => {
      // Only the quickstart certificate and the like may warn; nothing may fail.
      throw new Error(`${e.message}\n${stdout()}`);
    });
    const elapsed = Date.now() - started;
    const text = stdout();
    process.stderr.write(`iotedge check without network: ${elapsed} ms\n`);
    expect(text).toContain('√ container engine is installed and functional - OK');
    expect(text).toContain('√ Agent image is present or can be pulled - OK');
    expect(text).toContain('√ disk space where the container engine keeps its data - OK');
    expect(text).toContain('‼ host can connect to and perform TLS handshake with iothub HTTPS / WebSockets port - Warning\n    Could not connect to hub.azure-devices.net:443: no TLS handshake within 2 s');
    expect(text).toContain('‼ host time is close to reference time - Warning\n    Could not query the reference time server: no answer from 127.0.0.1 within 2 s');
  }, 60_000);
});
