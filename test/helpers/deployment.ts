/** A local deployment manifest (the `deployment-file` option) of modules from local images. */
export interface LocalModule {
  image: string;
  cmd: string[];
  /** More createOptions (e.g. StopTimeout). */
  extra?: Record<string, unknown>;
}

/** A module process that exits on SIGTERM within a second, so stopping it takes no stop timeout. */
export const GRACEFUL_CMD = ['sh', '-c', 'trap "exit 0" TERM; while :; do sleep 1; done'];

export function localDeployment(modules: Record<string, LocalModule>): string {
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
          status: 'running',
          restartPolicy: 'always',
          imagePullPolicy: 'never',
          settings: { image: m.image, createOptions: JSON.stringify({ Cmd: m.cmd, ...m.extra }) },
        },
      ]),
    ),
  };
  return JSON.stringify({ modulesContent: { $edgeAgent: { 'properties.desired': desired } } });
}
