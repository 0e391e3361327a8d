/**
 * The one builder of deployment manifests for tests and benches: modules from local images
 * (`imagePullPolicy: never`), in any of the three shapes edged reads (src/agent/manifest/unwrap.ts).
 */
export interface ModuleDef {
  image: string;
  /** The container's Cmd; none keeps the image's own. */
  cmd?: string[];
  status?: 'running' | 'stopped';
  /** `always` unless given. */
  restartPolicy?: string;
  startupOrder?: number;
  env?: Record<string, string>;
  /** More createOptions (e.g. StopTimeout, Healthcheck); a Cmd here wins over `cmd`. */
  createOptions?: Record<string, unknown>;
}

/** edgeAgent's local file (`deploymentConfig`), IoT Hub's (`modulesContent`) or the Azure CLI's (`content`). */
export type DeploymentShape = 'local' | 'hub' | 'cli';

export interface DeploymentOptions {
  shape?: DeploymentShape;
  /** The local file's `version`. */
  version?: number;
}

/** A module process that exits on SIGTERM within a second, so stopping it takes no stop timeout. */
export const GRACEFUL_CMD = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'];

export function deployment(modules: Record<string, ModuleDef>, { shape = 'local', version = 1 }: DeploymentOptions = {}): string {
  const desired = {
    schemaVersion: '1.1',
    runtime: { type: 'docker', settings: {} },
    systemModules: { edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } } },
    modules: Object.fromEntries(Object.entries(modules).map(([name, m]) => [name, moduleEntry(m)])),
  };
  if (shape === 'local') return JSON.stringify({ version, deploymentConfig: desired });
  const hub = { modulesContent: { $edgeAgent: { 'properties.desired': desired }, $edgeHub: { 'properties.desired': { schemaVersion: '1.1', routes: {} } } } };
  return JSON.stringify(shape === 'hub' ? hub : { content: hub });
}

function moduleEntry(m: ModuleDef): Record<string, unknown> {
  return {
    version: '1.0',
    type: 'docker',
    status: m.status ?? 'running',
    restartPolicy: m.restartPolicy ?? 'always',
    imagePullPolicy: 'never',
    ...(m.startupOrder === undefined ? {} : { startupOrder: m.startupOrder }),
    settings: { image: m.image, createOptions: JSON.stringify({ ...(m.cmd ? { Cmd: m.cmd } : {}), ...m.createOptions }) },
    ...(m.env ? { env: Object.fromEntries(Object.entries(m.env).map(([k, v]) => [k, { value: v }])) } : {}),
  };
}
