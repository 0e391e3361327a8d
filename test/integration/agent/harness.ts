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
import { deployment as buildDeployment, type DeploymentShape, type ModuleDef as LocalModule } from '../../helpers/deployment';

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

export type ModuleDef = Partial<LocalModule>;

/** test/helpers/deployment.ts with this suite's defaults: the busybox image, `sleep 3600`, restartPolicy on-unhealthy. */
export function deployment(modules: Record<string, ModuleDef>, shape: DeploymentShape = 'local', version = 1): string {
  const withDefaults = Object.fromEntries(
    Object.entries(modules).map(([name, m]) => [name, { image: IMAGE, cmd: ['sleep', '3600'], restartPolicy: 'on-unhealthy', ...m }]),
  );
  return buildDeployment(withDefaults, { shape, version });
}

export { until } from '../../helpers/until';

export async function removeAll(engine: TestEngine): Promise<void> {
  const all = await engine.docker.listContainers({ all: true });
  await Promise.all(all.map((c) => engine.docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
}
