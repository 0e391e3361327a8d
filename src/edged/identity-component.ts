/**
 * edged's identity component, the part upstream splits into identityd, keyd, certd and the
 * workload half of aziot-edged: provisions the device, keeps the keys and the Edge CA, serves the
 * workload sockets, and (in cloud mode) keeps edgeAgent running with its watchdog.
 *
 * The factory wraps ctx.runtime at once so that every module created through edged gets its
 * workload socket; start() needs the Docker engine and the cloud.
 */
import { hostname as osHostname } from 'node:os';
import * as path from 'node:path';
import { createManagementApi, MANAGEMENT_SOCKET_MODE } from '../api/management';
import { adoptModules } from '../api/workload/adopt';
import type { WorkloadDeps } from '../api/workload/routes';
import { WorkloadSocketRuntime } from '../api/workload/runtime-hooks';
import { ExtraSocket, WorkloadSockets, moduleSocketDir } from '../api/workload/sockets';
import { EdgeCa } from '../certs/edge-ca';
import { KeyPool, KeySource } from '../certs/keygen';
import { ModuleCertificates } from '../certs/module-certs';
import { buildTrustBundle } from '../certs/trust-bundle';
import type { Component, EdgedContext } from './context';
import { AGENT_API_VERSION, AGENT_MODULE_ID, CONTAINER_WORKLOAD_SOCKET, agentSocketLayout, agentSpec } from './edge-agent';
import { unixSocketPath } from '../util/unix-uri';
import { restartModulesAfterCaRenewal } from './edge-agent-ca-renewal';
import { Watchdog } from './watchdog';
import { EdgeError, NotImplementedError, UnavailableError } from '../errors';
import type { ModuleRuntime } from '../runtime/types';
import type { CloudOptions } from '../identity/cloud/https';
import { registerWithDps } from '../identity/cloud/dps-client';
import { HubClient } from '../identity/cloud/hub-client';
import { KeyStore } from '../identity/keys';
import { LocalModuleRuntime } from '../identity/local-modules';
import { HubIdentityManager } from '../identity/manager';
import { planProvisioning, ProvisioningPlan } from '../identity/provisioning/plan';
import { provision } from '../identity/provisioning/provision';
import { readConfigFile } from '../config/secrets';
import { IdentityStore } from '../identity/store';

export const IDENTITY_COMPONENT_NAME = 'workload';
/** How often a quickstart Edge CA is checked for renewal (it is also checked at each issuance). */
export const EDGE_CA_CHECK_MS = 3_600_000;

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
}

interface Running {
  plan?: ProvisioningPlan;
  identities?: HubIdentityManager;
  deviceId: string;
}

/**
 * The user edgeAgent runs as once its start script drops root (`EDGEAGENTUSER_ID`, default 13622).
 * Upstream's management socket belongs to it (systemd `SocketUser=edgeagentuser`); the start
 * script's own chown cannot help here (the directory is bound read-only, and a socket recreated
 * after an edged restart comes after the script ran), so edged makes it the owner.
 */
export const DEFAULT_AGENT_UID = 13622;

export function agentUserId(env: Record<string, string>): number {
  const v = env.EDGEAGENTUSER_ID;
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v.trim()) : DEFAULT_AGENT_UID;
}

/**
 * The component for edged's configuration: none without [provisioning] and [local_deployment]
 * (edged then serves its placeholder workload API, which says what to configure).
 */
export function identityComponentFor(ctx: EdgedContext, options: IdentityComponentOptions = {}): Component | undefined {
  if (!ctx.config.provisioning && !ctx.config.local_deployment) {
    ctx.logger.warn('No [provisioning] and no [local_deployment] in config.toml: no device identity, no workload API, no edgeAgent');
    return undefined;
  }
  return identityComponent(ctx, options);
}

export function identityComponent(ctx: EdgedContext, options: IdentityComponentOptions = {}): Component {
  const log = ctx.logger.child('identity');
  const { config, home } = ctx;
  const keys = KeyStore.under(home, { importedMasterEncryptionKey: config.imported_master_encryption_key });
  const store = IdentityStore.under(home);
  const keySource = options.keySource ?? new KeyPool('rsa-2048', 2);
  const inner: ModuleRuntime = ctx.runtime;
  const aborter = new AbortController();
  const state: { running?: Running; ca?: EdgeCa; certs?: ModuleCertificates } = {};
  let watchdogDone: Promise<void> | undefined;
  let caCheckDone: Promise<void> | undefined;

  const ready = (): { running: Running; certs: ModuleCertificates; ca: EdgeCa } => {
    if (!state.running || !state.certs || !state.ca) {
      throw new UnavailableError('edged is still provisioning', { hint: 'try again in a moment' });
    }
    return { running: state.running, certs: state.certs, ca: state.ca };
  };
  const identities = (): HubIdentityManager => {
    const ids = ready().running.identities;
    if (!ids) {
      throw new NotImplementedError('module identities are not available without [provisioning]', {
        hint: 'configure [provisioning] in config.toml',
      });
    }
    return ids;
  };

  const deps: WorkloadDeps = {
    runtime: inner,
    moduleKey: (m) => identities().moduleKey(m),
    encrypt: (p, iv, aad) => keys.encrypt(p, iv, aad),
    decrypt: (c, iv, aad) => keys.decrypt(c, iv, aad),
    serverCertificate: (m, cn, exp) => ready().certs.server(m, cn, exp),
    identityCertificate: (m, exp) => {
      const ids = identities();
      return ready().certs.identity(m, ids.device.hubHostname, ids.device.deviceId, exp);
    },
    trustBundle: async () => {
      const { ca } = ready();
      const user = config.trust_bundle_cert ? await readConfigFile(config.trust_bundle_cert, 'trust_bundle_cert') : '';
      return buildTrustBundle(user, (await ca.current()).chainPem);
    },
    manifestTrustBundle: async () => {
      const uri = config.manifest_trust_bundle_cert;
      return uri ? buildTrustBundle(await readConfigFile(uri, 'manifest_trust_bundle_cert')) : '';
    },
    moduleStatus: (name) => ctx.moduleStatus?.(name),
  };
  const cloudMode = !config.local_deployment && !!config.provisioning;
  const containerWorkload = unixSocketPath(config.connect.workload_uri);
  const containerManagement = unixSocketPath(config.connect.management_uri);
  const layout = agentSocketLayout(containerWorkload, containerManagement);
  let managementApi: ExtraSocket['api'] | undefined;
  const agentUid = agentUserId(config.agent.env);
  // edgeAgent's directory also serves the management API, so a restarted edged reaches it too.
  const extraSockets = (module: string): ExtraSocket[] =>
    cloudMode && module === config.agent.name && layout.managementName
      ? [{ name: layout.managementName, api: (managementApi ??= createManagementApi(ctx)), mode: MANAGEMENT_SOCKET_MODE, uid: agentUid }]
      : [];
  const sockets = new WorkloadSockets(home, deps, log.child('workload'), { workloadSocketName: layout.workloadName, extraSockets });
  ctx.runtime = new WorkloadSocketRuntime(inner, sockets);
  if (config.local_deployment) {
    ctx.runtime = new LocalModuleRuntime(ctx.runtime, {
      socketDir: async (name) => moduleSocketDir(await sockets.root(), name),
      containerWorkloadSocket: containerWorkload ?? CONTAINER_WORKLOAD_SOCKET,
      apiVersion: AGENT_API_VERSION,
      identity: async (moduleId) => {
        const ids = ready().running.identities;
        if (!ids) return undefined;
        const { generationId } = await ids.ensure(moduleId);
        return { hubHostname: ids.device.hubHostname, gatewayHostname: config.hostname ?? osHostname(), deviceId: ids.device.deviceId, generationId };
      },
      logger: log,
    });
  }
  const containerMounts =
    options.containerMounts ?? (async (name: string) => (await ctx.docker.getContainer(encodeURIComponent(name)).inspect()).Mounts ?? []);

  const cloud = (): CloudOptions => ({
    timeoutMs: config.cloud_timeout_sec * 1000,
    retries: config.cloud_retries,
    retryDelayMs: options.retryDelayMs,
    clock: ctx.clock,
    logger: log,
    tls: options.cloudTls,
    hostOverride: options.cloudHostOverride,
  });

  async function provisionDevice(forceDps: boolean): Promise<Running> {
    if (!config.provisioning) {
      log.info('No [provisioning]: the workload API serves certificates and encryption only, and there is no edgeAgent');
      return { deviceId: config.hostname ?? osHostname() };
    }
    const plan = await planProvisioning(config);
    const result = await provision(
      plan,
      {
        store,
        keys,
        logger: log,
        register: (reg) => registerWithDps(reg, { ...cloud(), pollIntervalMs: options.dpsPollIntervalMs }),
      },
      { forceDps: forceDps || config.auto_reprovisioning_mode === 'AlwaysOnStartup' },
    );
    if (result.replaced) {
      // As upstream: the old device's modules are not this device's; edgeAgent redeploys.
      for (const m of await inner.list()) {
        log.info(`Removing module ${m.name}: it belonged to device ${result.replaced.deviceId}`);
        await inner.remove(m.name);
        await sockets.remove(m.name);
      }
    }
    const hub = new HubClient(result.device, cloud(), () => dynamicReprovision(plan));
    return {
      plan,
      // prefer_module_identity_cache (default false, as upstream): false asks IoT Hub first and
      // falls back to the cache when it cannot answer; true reads the cache first.
      identities: new HubIdentityManager(hub, keys, store, log, config.prefer_module_identity_cache, ctx.clock),
      deviceId: result.device.deviceId,
    };
  }

  let reprovisioning: Promise<void> | undefined;
  /** Upstream's "Dynamic" mode: IoT Hub refusing a DPS-provisioned device sends it back to DPS. */
  function dynamicReprovision(plan: ProvisioningPlan): void {
    if (plan.source !== 'dps' || config.auto_reprovisioning_mode === 'OnErrorOnly' || reprovisioning) return;
    log.warn('IoT Hub refused the device credentials; registering with DPS again');
    reprovisioning = (async () => {
      state.running = await provisionDevice(true);
      if (state.running.identities) ctx.identities = state.running.identities;
    })()
      .catch((e: Error) => log.error(`Reprovisioning failed: ${e.message}`))
      .finally(() => (reprovisioning = undefined));
  }

  async function createAndStartAgent(): Promise<void> {
    const ids = identities();
    const identity = await ids.update(AGENT_MODULE_ID);
    if (!identity.generationId) throw new EdgeError('$edgeAgent identity missing generation ID');
    const mgmt = unixSocketPath(config.listen.management_uri);
    if (!mgmt) throw new EdgeError(`listen.management_uri ${config.listen.management_uri} is not a unix socket`);
    const root = await sockets.root();
    const spec = agentSpec({
      agent: config.agent,
      device: ids.device,
      generationId: identity.generationId,
      hostname: config.hostname ?? osHostname(),
      managementSocket: mgmt,
      socketDir: moduleSocketDir(root, config.agent.name),
      workloadMountDir: path.join(root, 'mnt'),
      containerManagementSocket: containerManagement,
      containerWorkloadSocket: containerWorkload,
      network: config.moby_runtime.network,
    });
    await ctx.runtime.create(spec);
    log.info(`Created Edge runtime module ${spec.name}`);
    await ctx.runtime.start(spec.name);
    log.info(`Started Edge runtime module ${spec.name}`);
  }

  return {
    name: IDENTITY_COMPONENT_NAME,
    async start() {
      // A missing or malformed imported 1.1 key stops edged now (153), not at a module's first decrypt.
      await keys.masterEncryptionKey();
      state.running = await provisionDevice(false);
      if (state.running.identities) ctx.identities = state.running.identities;
      ctx.reprovision = async () => {
        log.info('Reprovisioning the device');
        state.running = await provisionDevice(true);
        if (state.running.identities) ctx.identities = state.running.identities;
      };
      const onRenewed = () =>
        void restartModulesAfterCaRenewal(ctx.runtime, config.agent.name, log).catch((e: Error) => log.warn(`module restart after Edge CA renewal: ${e.message}`));
      state.ca = new EdgeCa({ home, settings: config.edge_ca, deviceId: state.running.deviceId, clock: ctx.clock, logger: log, onRenewed });
      await state.ca.ensure();
      state.certs = new ModuleCertificates(state.ca, keySource, ctx.clock);

      await sockets.listenShared(config.listen.workload_uri);
      // Running modules are adopted as they are: their bound directories get the new sockets.
      await adoptModules({ runtime: inner, sockets, containerMounts, agentName: cloudMode ? config.agent.name : undefined, logger: log });

      const signal = AbortSignal.any([aborter.signal, ctx.signal]);
      const ca = state.ca;
      caCheckDone = (async () => {
        while (!signal.aborted) {
          await ctx.clock.sleep(EDGE_CA_CHECK_MS, signal).catch(() => undefined);
          if (!signal.aborted) await ca.ensure().catch((e: Error) => log.warn(`Edge CA check: ${e.message}`));
        }
      })();

      if (!config.local_deployment && state.running.identities) {
        const watchdog = new Watchdog({
          runtime: ctx.runtime,
          agentName: config.agent.name,
          createAndStart: createAndStartAgent,
          maxRetries: config.watchdog.max_retries,
          clock: ctx.clock,
          logger: log.child('watchdog'),
        });
        watchdogDone = watchdog.run(signal).catch((e: Error) => {
          log.error(`${e.message}: edged no longer supervises edgeAgent`);
          (options.onFatal ?? ctx.fatal)?.(e);
        });
      }
    },
    async stop() {
      aborter.abort(new Error('identity component stopping'));
      await watchdogDone;
      await caCheckDone;
      await reprovisioning;
      keySource.close();
      await sockets.close();
    },
  };
}
