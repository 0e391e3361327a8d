/**
 * edgeAgent in cloud mode: created from its spec with its identity's generation ID, started, and
 * kept running by the watchdog until the signal ends it (a spent retry budget is fatal).
 */
import * as path from 'node:path';
import { hostname as osHostname } from 'node:os';
import { moduleSocketDir } from '../../api/workload/sockets';
import type { SuperConfig } from '../../config/types';
import { EdgeError } from '../../errors';
import type { HubIdentityManager } from '../../identity/manager';
import type { ModuleRuntime } from '../../runtime/types';
import type { Clock } from '../../util/clock';
import type { Logger } from '../../util/log';
import { unixSocketPath } from '../../util/unix-uri';
import { AGENT_MODULE_ID, agentSpec } from './spec';
import { Watchdog } from './watchdog';

export interface AgentInputs {
  config: SuperConfig;
  /** The runtime with workload sockets: edgeAgent gets its directory. */
  runtime: ModuleRuntime;
  identities: () => HubIdentityManager;
  /** The root of the workload socket directories. */
  socketRoot: () => Promise<string>;
  /** Where edgeAgent finds its sockets (`connect.*_uri`), when they are unix sockets. */
  containerWorkload?: string;
  containerManagement?: string;
  logger: Logger;
}

export async function createAndStartAgent({ config, runtime, identities, socketRoot, containerWorkload, containerManagement, logger }: AgentInputs): Promise<void> {
  const ids = identities();
  const identity = await ids.update(AGENT_MODULE_ID);
  if (!identity.generationId) throw new EdgeError('$edgeAgent identity missing generation ID');
  const mgmt = unixSocketPath(config.listen.management_uri);
  if (!mgmt) throw new EdgeError(`listen.management_uri ${config.listen.management_uri} is not a unix socket`);
  const root = await socketRoot();
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
  await runtime.create(spec);
  logger.info(`Created Edge runtime module ${spec.name}`);
  await runtime.start(spec.name);
  logger.info(`Started Edge runtime module ${spec.name}`);
}

/** Runs the watchdog over edgeAgent until `signal` aborts; `fatal` hears of a spent retry budget. */
export function superviseAgent(inputs: AgentInputs & { clock: Clock; signal: AbortSignal; fatal?: (e: Error) => void }): Promise<void> {
  const { config, runtime, clock, logger: log } = inputs;
  const watchdog = new Watchdog({
    runtime,
    agentName: config.agent.name,
    createAndStart: () => createAndStartAgent(inputs),
    maxRetries: config.watchdog.max_retries,
    clock,
    logger: log.child('watchdog'),
  });
  return watchdog.run(inputs.signal).catch((e: Error) => {
    log.error(`${e.message}: edged no longer supervises edgeAgent`);
    inputs.fatal?.(e);
  });
}
