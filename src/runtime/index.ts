/** The module runtime: the interface, and its Docker implementation. */
export * from './types';
export { DockerModuleRuntime } from './docker/runtime';
export type { DockerModuleRuntimeOptions } from './docker/runtime';
export { createDockerClient, parseEngineUri } from './docker/client';
