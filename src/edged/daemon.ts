/**
 * edged's composition: config → context → management API → engine → components → ready; and the
 * reverse on stop. Modules are left running when edged stops, as upstream leaves them.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { listenUnix, UnixListener } from '../api/http/unix-listener';
import { createManagementApi, MANAGEMENT_SOCKET_MODE, type ManagementContext } from '../api/management';
import { loadSuperConfigFile } from '../config/load';
import type { SuperConfig } from '../config/types';
import { createDockerClient, describeEngine } from '../runtime/docker/client';
import { DockerModuleRuntime } from '../runtime/docker/runtime';
import type { ModuleRuntime } from '../runtime/types';
import { Clock, systemClock } from '../util/clock';
import type { Logger } from '../util/log';
import { Mutex } from '../util/mutex';
import { createComponents, WORKLOAD_COMPONENT, type EdgedParts } from './components';
import type { Component, EdgedContext } from './context';
import { EngineWaitOptions, waitForEngine } from './engine-wait';
import { WORKLOAD_SOCKET_MODE, workloadPlaceholder } from './workload-placeholder';

export interface EdgedOptions {
  configFile: string;
  home: string;
  logger: Logger;
  clock?: Clock;
  engineWait?: EngineWaitOptions;
  /** Tests may swap the parts. */
  createComponents?: (ctx: EdgedContext) => Promise<EdgedParts>;
}

export class Edged {
  /** Set once the context is built (after the config loaded). */
  ctx?: EdgedContext;
  /** What the management API serves from, once the parts are made. */
  api?: ManagementContext;
  private readonly aborter = new AbortController();
  private readonly listeners: UnixListener[] = [];
  private readonly started: Component[] = [];
  private starting?: Promise<void>;
  private stopping?: Promise<void>;
  private readonly log: Logger;
  private readonly clock: Clock;
  private reportFatal!: (e: Error) => void;
  /** Resolves with the error a component could not go on with (see EdgedContext.fatal). */
  readonly fatal: Promise<Error> = new Promise((resolve) => (this.reportFatal = resolve));

  constructor(private readonly options: EdgedOptions) {
    this.log = options.logger;
    this.clock = options.clock ?? systemClock;
  }

  get managementSocket(): string | undefined {
    return this.listeners[0]?.socketPath;
  }

  /** Resolves once edged is ready; rejects on a fatal error, or when stop() came first. */
  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  /** Stops components (reverse order) and removes the sockets. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStart(): Promise<void> {
    const signal = this.aborter.signal;
    const home = path.resolve(this.options.home);
    await fs.mkdir(home, { recursive: true, mode: 0o700 });
    const config = await loadSuperConfigFile(this.options.configFile, { home });
    const ctx = this.buildContext(config, home, signal);
    this.ctx = ctx;
    const { components, api } = await (this.options.createComponents ?? createComponents)(ctx);
    this.api = api;

    const mgmt = await listenUnix(createManagementApi(api), config.listen.management_uri, { mode: MANAGEMENT_SOCKET_MODE });
    this.listeners.push(mgmt);
    this.log.info(`management API listening on ${config.listen.management_uri}`);

    await waitForEngine(ctx.docker, describeEngine(ctx.docker), { clock: this.clock, logger: this.log, signal }, this.options.engineWait);

    for (const c of components) {
      signal.throwIfAborted();
      await c.start();
      this.started.push(c);
      this.log.info(`component ${c.name} started`);
    }
    if (!components.some((c) => c.name === WORKLOAD_COMPONENT)) {
      signal.throwIfAborted();
      this.listeners.push(await listenUnix(workloadPlaceholder(), config.listen.workload_uri, { mode: WORKLOAD_SOCKET_MODE }));
      this.log.info(`workload API placeholder listening on ${config.listen.workload_uri} (no workload component)`);
    }
    signal.throwIfAborted();
    this.log.info('edged ready', { management: config.listen.management_uri, components: components.map((c) => c.name) });
  }

  private buildContext(config: SuperConfig, home: string, signal: AbortSignal): EdgedContext {
    const docker = createDockerClient(config.moby_runtime.uri);
    const engine: ModuleRuntime = new DockerModuleRuntime({
      docker,
      logger: this.log.child('runtime'),
      network: config.moby_runtime.network,
      networkSettings: config.moby_runtime.network_options,
      clock: this.clock,
      allowElevatedDockerPermissions: config.allow_elevated_docker_permissions,
    });
    return {
      config,
      home,
      logger: this.log,
      clock: this.clock,
      docker,
      engine,
      deploymentLock: new Mutex(),
      signal,
      fatal: (e) => this.reportFatal(e),
    };
  }

  private async doStop(): Promise<void> {
    this.aborter.abort(new Error('edged is stopping'));
    await this.starting?.catch(() => undefined);
    const ran = this.started.length + this.listeners.length > 0;
    for (const c of [...this.started].reverse()) {
      try {
        await c.stop();
        this.log.info(`component ${c.name} stopped`);
      } catch (e) {
        this.log.warn(`component ${c.name} did not stop cleanly: ${(e as Error).message}`);
      }
    }
    for (const l of [...this.listeners].reverse()) {
      try {
        await l.close();
      } catch (e) {
        this.log.warn(`could not close ${l.socketPath}: ${(e as Error).message}`);
      }
    }
    if (ran) this.log.info('edged stopped; modules are left running');
  }
}
