/**
 * edged's identity component on a real (private) Docker engine, against a fake IoT Hub on
 * loopback: the management socket is served, the config is parsed by the real loader. It can be
 * stopped and started again on the same home and engine, as edged restarting.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { until } from '../../helpers/until';
import { listenUnix, UnixListener } from '../../../src/api/http';
import { createManagementApi } from '../../../src/api/management';
import { generateKey } from '../../../src/certs/keygen';
import { parseSuperConfig } from '../../../src/config/load';
import type { EdgedContext } from '../../../src/edged/context';
import { identityComponent, type IdentityComponent } from '../../../src/edged/identity-component';
import { managementContext } from '../../../src/edged/management-context';
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
  /** The context, clock, component and log lines of the edged now running (each start makes new ones). */
  ctx: EdgedContext;
  home: string;
  clock: FakeClock;
  hub: Awaited<ReturnType<typeof startFakeIotHub>>;
  /** Its runtime (the top of the stack: modules get their sockets) and identities are what tests drive. */
  component: IdentityComponent;
  logs: string[];
  /** Stops the component and the management socket, as edged stopping; modules keep running. */
  stopEdged(): Promise<void>;
  /** Starts a new edged (context, component, management socket) on the same home and engine. */
  startEdged(): Promise<void>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  /** More binds for edgeAgent's container (e.g. the host's node, to make requests from inside). */
  agentBinds?: string[];
  /** edged's home (created if missing, removed at the end); default a new temporary directory. */
  home?: string;
}

export async function startHarness(engine: TestEngine, options: HarnessOptions = {}): Promise<Harness> {
  const home = options.home ?? mkdtempSync(path.join(os.tmpdir(), 'edged-id-'));
  mkdirSync(home, { recursive: true, mode: 0o700 });
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
createOptions = { Cmd = ["sleep", "3600"], HostConfig = { Binds = ${JSON.stringify(options.agentBinds ?? [])} } }

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
  let aborter = new AbortController();
  let mgmt: UnixListener | undefined;
  const h = { home, hub } as Harness;
  h.startEdged = async () => {
    const clock = new FakeClock(Date.now());
    const logger = memoryLogger();
    aborter = new AbortController();
    const ctx: EdgedContext = {
      config,
      home,
      logger,
      clock,
      docker: engine.docker,
      engine: new DockerModuleRuntime({ docker: engine.docker, logger: logger.child('runtime'), network: config.moby_runtime.network }),
      deploymentLock: new Mutex(),
      signal: aborter.signal,
      fatal: () => undefined,
    };
    const component = identityComponent(ctx, ctx.engine, {
      cloudTls: { ca: tls.caPem },
      cloudHostOverride: { [HUB]: hub.host },
      keySource: { take: () => generateKey('ec-p256'), close: () => undefined },
    });
    Object.assign(h, { ctx, clock, component, logs: logger.lines });
    mgmt = await listenUnix(createManagementApi(managementContext(ctx, { runtime: component.runtime, identity: component })), config.listen.management_uri, { mode: 0o660 });
    await component.start();
  };
  h.stopEdged = async () => {
    aborter.abort();
    await h.component.stop();
    await mgmt?.close();
  };
  h.stop = async () => {
    await h.stopEdged();
    await hub.close();
    rmSync(home, { recursive: true, force: true });
  };
  await h.startEdged();
  return h;
}

/** Polls a condition (bounded): for engine state that changes after an awaited action. */
export function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs?: number): Promise<T> {
  return until(probe, what, timeoutMs);
}
