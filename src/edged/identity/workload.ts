/**
 * The workload API as edged serves it: what it answers (keys, certificates, trust bundles, module
 * status) and the sockets it answers on, one directory per module plus the shared socket. In
 * cloud mode edgeAgent's directory also serves the management API, so a restarted edged reaches
 * the running agent too.
 */
import { MANAGEMENT_SOCKET_MODE } from '../../api/management';
import type { WorkloadDeps } from '../../api/workload/routes';
import { WorkloadSockets, type ExtraSocket } from '../../api/workload/sockets';
import { buildTrustBundle } from '../../certs/trust-bundle';
import { readConfigFile } from '../../config/secrets';
import type { SuperConfig } from '../../config/types';
import type { KeyStore } from '../../identity/keys';
import type { ModuleRuntime } from '../../runtime/types';
import type { Logger } from '../../util/log';
import type { AgentSocketLayout } from '../edge-agent/spec';
import type { IdentityState } from './state';

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

export interface WorkloadInputs {
  config: SuperConfig;
  keys: KeyStore;
  state: IdentityState;
  /** The runtime under the workload sockets. */
  runtime: ModuleRuntime;
  moduleStatus: WorkloadDeps['moduleStatus'];
}

/** What the workload API answers, each read from the state at request time. */
export function workloadDeps({ config, keys, state, runtime, moduleStatus }: WorkloadInputs): WorkloadDeps {
  return {
    runtime,
    moduleKey: (m) => state.identities().moduleKey(m),
    encrypt: (p, iv, aad) => keys.encrypt(p, iv, aad),
    decrypt: (c, iv, aad) => keys.decrypt(c, iv, aad),
    serverCertificate: (m, cn, exp) => state.ready().certs.server(m, cn, exp),
    identityCertificate: (m, exp) => {
      const ids = state.identities();
      return state.ready().certs.identity(m, ids.device.hubHostname, ids.device.deviceId, exp);
    },
    trustBundle: async () => {
      const { ca } = state.ready();
      const user = config.trust_bundle_cert ? await readConfigFile(config.trust_bundle_cert, 'trust_bundle_cert') : '';
      return buildTrustBundle(user, (await ca.current()).chainPem);
    },
    manifestTrustBundle: async () => {
      const uri = config.manifest_trust_bundle_cert;
      return uri ? buildTrustBundle(await readConfigFile(uri, 'manifest_trust_bundle_cert')) : '';
    },
    moduleStatus,
  };
}

export interface SocketInputs {
  home: string;
  config: SuperConfig;
  deps: WorkloadDeps;
  layout: AgentSocketLayout;
  /** Cloud mode: edgeAgent's directory serves the management API as well. */
  cloudMode: boolean;
  /** The management API, made at the first socket that serves it. */
  managementApi: () => ExtraSocket['api'];
  logger: Logger;
}

export function workloadSockets({ home, config, deps, layout, cloudMode, managementApi, logger }: SocketInputs): WorkloadSockets {
  let api: ExtraSocket['api'] | undefined;
  const agentUid = agentUserId(config.agent.env);
  const extraSockets = (module: string): ExtraSocket[] =>
    cloudMode && module === config.agent.name && layout.managementName
      ? [{ name: layout.managementName, api: (api ??= managementApi()), mode: MANAGEMENT_SOCKET_MODE, uid: agentUid }]
      : [];
  return new WorkloadSockets(home, deps, logger, { workloadSocketName: layout.workloadName, extraSockets });
}
