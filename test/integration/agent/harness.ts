/** Shared by the agent's integration suites: an Agent on a private engine, and bounded waits. */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Agent, AgentOptions } from '../../../src/agent/agent';
import { DockerModuleRuntime } from '../../../src/runtime/docker/runtime';
import type { TestEngine } from '../../helpers/engine';
import type { Clock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';

export const IMAGE = 'edge-test/busybox:1';

export interface Harness {
  agent: Agent;
  runtime: DockerModuleRuntime;
  log: ReturnType<typeof memoryLogger>;
  lock: Mutex;
  home: string;
}

export async function startAgent(engine: TestEngine, clock: Clock, options: Partial<AgentOptions> & { home?: string } = {}): Promise<Harness> {
  const log = memoryLogger();
  const runtime = new DockerModuleRuntime({ docker: engine.docker, logger: log.child('runtime'), network: 'edge-agent-test' });
  const lock = new Mutex();
  const home = options.home ?? mkdtempSync(path.join(os.tmpdir(), 'edge-agent-'));
  const agent = new Agent({ runtime, clock, logger: log.child('agent'), lock, reportedStateFile: path.join(home, 'reported-state.json'), ...options });
  await agent.start();
  return { agent, runtime, log, lock, home };
}

export interface ModuleDef {
  cmd?: string[];
  status?: 'running' | 'stopped';
  restartPolicy?: string;
  startupOrder?: number;
  env?: Record<string, string>;
  createOptions?: Record<string, unknown>;
  image?: string;
}

/** A deployment in edgeAgent's local form (the default), or IoT Hub's / the Azure CLI's. */
export function deployment(modules: Record<string, ModuleDef>, shape: 'local' | 'hub' | 'cli' = 'local', version = 1): string {
  const desired = {
    schemaVersion: '1.1',
    runtime: { type: 'docker', settings: {} },
    systemModules: { edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } } },
    modules: Object.fromEntries(
      Object.entries(modules).map(([name, m]) => [
        name,
        {
          version: '1.0',
          type: 'docker',
          status: m.status ?? 'running',
          restartPolicy: m.restartPolicy ?? 'on-unhealthy',
          imagePullPolicy: 'never',
          ...(m.startupOrder === undefined ? {} : { startupOrder: m.startupOrder }),
          settings: { image: m.image ?? IMAGE, createOptions: JSON.stringify({ Cmd: m.cmd ?? ['sleep', '3600'], ...m.createOptions }) },
          env: Object.fromEntries(Object.entries(m.env ?? {}).map(([k, v]) => [k, { value: v }])),
        },
      ]),
    ),
  };
  if (shape === 'local') return JSON.stringify({ version, deploymentConfig: desired });
  const hub = { modulesContent: { $edgeAgent: { 'properties.desired': desired }, $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {} } } } };
  return JSON.stringify(shape === 'hub' ? hub : { content: hub });
}

export { until } from '../../helpers/until';

export async function removeAll(engine: TestEngine): Promise<void> {
  const all = await engine.docker.listContainers({ all: true });
  await Promise.all(all.map((c) => engine.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}
