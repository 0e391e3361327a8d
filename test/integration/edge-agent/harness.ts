/**
 * edged's identity component on a real (private) Docker engine, against a fake IoT Hub on
 * loopback: the management socket is served, the config is parsed by the real loader.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listenUnix, UnixListener } from '../../../src/api/http';
import { createManagementApi } from '../../../src/api/management';
import { generateKey } from '../../../src/certs/keygen';
import { parseSuperConfig } from '../../../src/config/load';
import type { Component, EdgedContext } from '../../../src/edged/context';
import { identityComponent } from '../../../src/identity/component';
import { DockerModuleRuntime } from '../../../src/runtime/docker/runtime';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';
import type { TestEngine } from '../../helpers/engine';
import { makeTestTls, startFakeIotHub } from '../../helpers/fake-iothub';

export const HUB = 'testhub.azure-devices.net';
export const DEVICE = 'edge-dev-1';
export const AGENT_IMAGE = 'edge-test/agent:1';

export interface Harness {
  ctx: EdgedContext;
  home: string;
  clock: FakeClock;
  hub: Awaited<ReturnType<typeof startFakeIotHub>>;
  component: Component;
  logs: string[];
  stop(): Promise<void>;
}

export async function startHarness(engine: TestEngine): Promise<Harness> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'edged-id-'));
  const tls = makeTestTls();
  const deviceKey = randomBytes(32);
  const hub = await startFakeIotHub({ tls, hubHostname: HUB, deviceId: DEVICE, deviceKey });
  // An IoT Edge device's hub identity comes with $edgeAgent and $edgeHub.
  for (const [moduleId, generationId] of [['$edgeAgent', '638001'], ['$edgeHub', '638002']]) {
    hub.modules.set(moduleId, { moduleId, deviceId: DEVICE, generationId, etag: '"1"' });
  }
  const toml = `
hostname = "edge-host"

[provisioning]
source = "manual"
connection_string = "HostName=${HUB};DeviceId=${DEVICE};SharedAccessKey=${deviceKey.toString('base64')}"

[agent]
name = "edgeAgent"
type = "docker"
imagePullPolicy = "never"

[agent.config]
image = "${AGENT_IMAGE}"
createOptions = { Cmd = ["sleep", "3600"] }

[agent.env]
RuntimeLogLevel = "debug"

[moby_runtime]
uri = "${engine.host}"
network = "azure-iot-edge"

[listen]
management_uri = "unix://${home}/mgmt.sock"
workload_uri = "unix://${home}/workload.sock"

[watchdog]
max_retries = 5
`;
  const config = parseSuperConfig(toml, { home });
  const clock = new FakeClock(Date.now());
  const logger = memoryLogger();
  const aborter = new AbortController();
  const ctx: EdgedContext = {
    config,
    home,
    logger,
    clock,
    docker: engine.docker,
    runtime: new DockerModuleRuntime({ docker: engine.docker, logger: logger.child('runtime'), network: config.moby_runtime.network }),
    deploymentLock: new Mutex(),
    signal: aborter.signal,
  };
  const component = identityComponent(ctx, {
    cloudTls: { ca: tls.caPem },
    cloudHostOverride: { [HUB]: hub.host },
    keySource: { take: () => generateKey('ec-p256'), close: () => undefined },
  });
  const mgmt: UnixListener = await listenUnix(createManagementApi(ctx), config.listen.management_uri, { mode: 0o660 });
  await component.start();
  return {
    ctx,
    home,
    clock,
    hub,
    component,
    logs: logger.lines,
    stop: async () => {
      aborter.abort();
      await component.stop();
      await mgmt.close();
      await hub.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Polls a condition (bounded): for engine state that changes after an awaited action. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
