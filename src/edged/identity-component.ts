/**
 * edged's identity component, the part upstream splits into identityd, keyd, certd and the
 * workload half of aziot-edged. Wiring only; each job is a file of its own:
 *
 *  - identity/provisioning.ts: provisions the device, and again when asked or refused (Dynamic);
 *  - identity/certificates.ts: the Edge CA, its hourly renewal check, module certificates;
 *  - identity/workload.ts, identity/module-runtime.ts: the workload API, its sockets, and the
 *    runtime that gives every module created through edged its socket;
 *  - edge-agent/: edgeAgent's spec, its watchdog, and the restart after an Edge CA renewal.
 *
 * Its runtime layer (`runtime`, over the one given) gives every module created through edged its
 * workload socket; start() needs the Docker engine and the cloud.
 */
import { createManagementApi, type ManagementContext, type ModuleStatusOverlay } from '../api/management';
import { adoptModules } from '../api/workload/adopt';
import { KeyPool, type KeySource } from '../certs/keygen';
import type { CloudOptions } from '../identity/cloud/https';
import type { IdentityManager } from '../identity/types';
import { KeyStore } from '../identity/keys';
import { UnavailableError } from '../errors';
import { IdentityStore } from '../identity/store';
import { unixSocketPath } from '../util/unix-uri';
import type { ModuleRuntime } from '../runtime/types';
import type { Component, EdgedContext } from './context';
import { managementContext } from './management-context';
import { restartModulesAfterCaRenewal } from './edge-agent/ca-renewal';
import { agentSocketLayout } from './edge-agent/spec';
import { superviseAgent, type AgentInputs } from './edge-agent/supervisor';
import { checkEdgeCaPeriodically, edgeCertificates } from './identity/certificates';
import { workloadRuntime } from './identity/module-runtime';
import { cloudOptions, DeviceProvisioner } from './identity/provisioning';
import { IdentityState } from './identity/state';
import { workloadDeps, workloadSockets } from './identity/workload';

export const IDENTITY_COMPONENT_NAME = 'workload';

export interface IdentityComponentOptions {
  /** Extra TLS roots for IoT Hub and DPS (tests point these at fakes on loopback). */
  cloudTls?: CloudOptions['tls'];
  /** Host name → `host:port` actually connected to (tests point the hub at a fake on loopback). */
  cloudHostOverride?: Record<string, string>;
  /** Between DPS status polls, and the retry delay (tests shorten them). */
  dpsPollIntervalMs?: number;
  retryDelayMs?: number;
  /** Module certificate keys; default RSA-2048 from a background pool (what upstream issues). */
  keySource?: KeySource;
  /** Called when the watchdog spent its retry budget (upstream exits; default: log). */
  onFatal?: (e: Error) => void;
  /** A container's mounts (default: inspected through ctx.docker; tests with an in-memory runtime give their own). */
  containerMounts?: (name: string) => Promise<{ Source?: string; Type?: string }[]>;
  /** The agent's view of a module, for the workload API (the local deployment's agent, when there is one). */
  moduleStatus?: (name: string) => ModuleStatusOverlay | undefined;
  /** What the management API serves from, for the management socket each module may be given. */
  api?: () => ManagementContext;
}

/**
 * The component for edged's configuration: none without [provisioning] and [local_deployment]
 * (edged then serves its placeholder workload API, which says what to configure).
 */
export interface IdentityComponent extends Component {
  /** The runtime below, giving each module its workload socket (and, with [local_deployment], upstream's environment). */
  runtime: ModuleRuntime;
  /** The module identities, once the device is provisioned. */
  identities(): IdentityManager | undefined;
  /** Provisions the device again (the management API's POST /device/reprovision). */
  reprovision(): Promise<void>;
}

export function identityComponentFor(ctx: EdgedContext, below: ModuleRuntime, options: IdentityComponentOptions = {}): IdentityComponent | undefined {
  if (!ctx.config.provisioning && !ctx.config.local_deployment) {
    ctx.logger.warn('No [provisioning] and no [local_deployment] in config.toml: no device identity, no workload API, no edgeAgent');
    return undefined;
  }
  return identityComponent(ctx, below, options);
}

export function identityComponent(ctx: EdgedContext, inner: ModuleRuntime, options: IdentityComponentOptions = {}): IdentityComponent {
  const log = ctx.logger.child('identity');
  const { config, home } = ctx;
  const keys = KeyStore.under(home, { importedMasterEncryptionKey: config.imported_master_encryption_key });
  const keySource = options.keySource ?? new KeyPool('rsa-2048', 2);
  const state = new IdentityState();
  const aborter = new AbortController();
  let watchdogDone: Promise<void> | undefined;
  let caCheckDone: Promise<void> | undefined;

  const cloudMode = !config.local_deployment && !!config.provisioning;
  const containerWorkload = unixSocketPath(config.connect.workload_uri);
  const containerManagement = unixSocketPath(config.connect.management_uri);
  const deps = workloadDeps({ config, keys, state, runtime: inner, moduleStatus: (name) => options.moduleStatus?.(name) });
  const sockets = workloadSockets({
    home,
    config,
    deps,
    layout: agentSocketLayout(containerWorkload, containerManagement),
    cloudMode,
    managementApi: () => createManagementApi(options.api?.() ?? managementContext(ctx, { runtime, identity: self })),
    logger: log.child('workload'),
  });
  const runtime = workloadRuntime(inner, { config, sockets, state, containerWorkload, logger: log });
  const containerMounts =
    options.containerMounts ?? (async (name: string) => (await ctx.docker.getContainer(encodeURIComponent(name)).inspect()).Mounts ?? []);

  const provisioner = new DeviceProvisioner({
    config,
    keys,
    store: IdentityStore.under(home),
    cloud: cloudOptions(config, { retryDelayMs: options.retryDelayMs, tls: options.cloudTls, hostOverride: options.cloudHostOverride }, ctx.clock, log),
    dpsPollIntervalMs: options.dpsPollIntervalMs,
    runtime: inner,
    removeSockets: (name) => sockets.remove(name),
    clock: ctx.clock,
    logger: log,
    provisioned: (device) => void (state.device = device),
  });
  const agent = (): AgentInputs => ({
    config,
    runtime,
    identities: () => state.identities(),
    socketRoot: () => sockets.root(),
    containerWorkload,
    containerManagement,
    logger: log,
  });

  let started = false;
  const self: IdentityComponent = {
    name: IDENTITY_COMPONENT_NAME,
    runtime,
    identities: () => state.device?.identities,
    async reprovision() {
      if (!started) throw new UnavailableError('edged is still starting: the device is not provisioned yet', { hint: 'try again in a moment' });
      log.info('Reprovisioning the device');
      await provisioner.provision(true);
    },
    async start() {
      // A missing or malformed imported 1.1 key stops edged now (153), not at a module's first decrypt.
      await keys.masterEncryptionKey();
      const device = await provisioner.provision(false);
      started = true;
      const onRenewed = () =>
        void restartModulesAfterCaRenewal(runtime, config.agent.name, log).catch((e: Error) => log.warn(`module restart after Edge CA renewal: ${e.message}`));
      const { ca, certs } = await edgeCertificates({ home, settings: config.edge_ca, deviceId: device.deviceId, keySource, clock: ctx.clock, logger: log, onRenewed });
      state.ca = ca;
      state.certs = certs;

      await sockets.listenShared(config.listen.workload_uri);
      // Running modules are adopted as they are: their bound directories get the new sockets.
      await adoptModules({ runtime: inner, sockets, containerMounts, agentName: cloudMode ? config.agent.name : undefined, logger: log });

      const signal = AbortSignal.any([aborter.signal, ctx.signal]);
      caCheckDone = checkEdgeCaPeriodically(ca, ctx.clock, signal, log);
      if (!config.local_deployment && device.identities) {
        watchdogDone = superviseAgent({ ...agent(), clock: ctx.clock, signal, fatal: (e) => (options.onFatal ?? ctx.fatal)(e) });
      }
    },
    async stop() {
      aborter.abort(new Error('identity component stopping'));
      await watchdogDone;
      await caCheckDone;
      await provisioner.settled();
      keySource.close();
      await sockets.close();
    },
  };
  return self;
}
