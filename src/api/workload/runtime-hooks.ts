/**
 * The module runtime, as the rest of edged sees it once the workload API runs: every module gets
 * its socket directory before its container is created or started, and loses it when removed; a
 * bind of its socket file (what upstream's edgeAgent asks for) becomes a bind of the directory.
 */
import { DelegatingRuntime } from '../../runtime/delegating-runtime';
import type { Module, ModuleRuntime, ModuleSpec } from '../../runtime/types';

export interface ModuleSocketHooks {
  ensure(module: string): Promise<unknown>;
  remove(module: string): Promise<void>;
  /** The module's binds, socket-file binds turned into its directory's. */
  adaptBinds?(module: string, binds: readonly string[]): Promise<string[]>;
}

export class WorkloadSocketRuntime extends DelegatingRuntime {
  constructor(
    inner: ModuleRuntime,
    private readonly sockets: ModuleSocketHooks,
  ) {
    super(inner);
  }

  override async create(spec: ModuleSpec): Promise<Module> {
    await this.sockets.ensure(spec.name);
    return this.inner.create(await this.withDirectoryBinds(spec));
  }

  private async withDirectoryBinds(spec: ModuleSpec): Promise<ModuleSpec> {
    const hostConfig = spec.config.createOptions?.HostConfig as { Binds?: unknown } | undefined;
    if (!this.sockets.adaptBinds || !Array.isArray(hostConfig?.Binds)) return spec;
    const binds = await this.sockets.adaptBinds(spec.name, hostConfig.Binds as string[]);
    if (binds.length === hostConfig.Binds.length && binds.every((b, i) => b === (hostConfig.Binds as string[])[i])) return spec;
    return { ...spec, config: { ...spec.config, createOptions: { ...spec.config.createOptions, HostConfig: { ...hostConfig, Binds: binds } } } };
  }

  override async start(name: string): Promise<void> {
    await this.sockets.ensure(name);
    await this.inner.start(name);
  }

  override async restart(name: string): Promise<void> {
    await this.sockets.ensure(name);
    await this.inner.restart(name);
  }

  override async remove(name: string): Promise<void> {
    await this.inner.remove(name);
    await this.sockets.remove(name);
  }
}
