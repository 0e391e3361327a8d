/**
 * A ModuleRuntime that hands every call to another one. Wrappers that add something around a few
 * operations (workload sockets, image-use tracking) extend it and override only those. Each call
 * reads `inner`'s method when it is made, so an inner runtime may implement only what is used.
 */
import type { Readable } from 'node:stream';
import type {
  DockerConfig,
  LogOptions,
  Module,
  ModuleRuntime,
  ModuleSpec,
  RuntimeEvent,
  SystemInfo,
  SystemResources,
} from './types';

export class DelegatingRuntime implements ModuleRuntime {
  constructor(readonly inner: ModuleRuntime) {}

  create(spec: ModuleSpec): Promise<Module> {
    return this.inner.create(spec);
  }
  pull(config: DockerConfig): Promise<void> {
    return this.inner.pull(config);
  }
  start(name: string): Promise<void> {
    return this.inner.start(name);
  }
  stop(name: string, waitBeforeKillSeconds?: number): Promise<void> {
    return this.inner.stop(name, waitBeforeKillSeconds);
  }
  restart(name: string): Promise<void> {
    return this.inner.restart(name);
  }
  remove(name: string): Promise<void> {
    return this.inner.remove(name);
  }
  get(name: string): Promise<Module> {
    return this.inner.get(name);
  }
  list(): Promise<Module[]> {
    return this.inner.list();
  }
  logs(name: string, options: LogOptions): Promise<Readable> {
    return this.inner.logs(name, options);
  }
  systemInfo(): Promise<SystemInfo> {
    return this.inner.systemInfo();
  }
  systemResources(): Promise<SystemResources> {
    return this.inner.systemResources();
  }
  events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    return this.inner.events(signal);
  }
}
