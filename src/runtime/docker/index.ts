export { DockerModuleRuntime } from './runtime';
export type { DockerModuleRuntimeOptions } from './runtime';
export { createDockerClient, parseEngineUri, describeEngine } from './client';
export { buildCreateBody, mergeEnv, parseEnv } from './create-body';
export { statusFromDocker, runtimeStateFromInspect, moduleFromInspect, isOwned } from './state';
