/**
 * ModuleRuntime on a Docker engine, as upstream edgelet-docker: one container per module, named
 * after it, carrying the owner label. Containers without that label are never listed or touched.
 */
import type Docker from 'dockerode';
import type { Readable } from 'node:stream';
import { BadRequestError, ConflictError, NotFoundError } from '../../errors';
import { checkModuleName } from '../module-name';
import { Clock, systemClock } from '../../util/clock';
import type { Logger } from '../../util/log';
import { Mutex } from '../../util/mutex';
import {
  DEFAULT_NETWORK,
  DockerConfig,
  LogOptions,
  Module,
  ModuleRuntime,
  ModuleSpec,
  OWNER_LABEL,
  OWNER_VALUE,
  RuntimeEvent,
  SystemInfo,
  SystemResources,
} from '../types';
import { describeEngine } from './client';
import { buildCreateBody } from './create-body';
import { statusOf, toEdgeError } from './errors';
import { streamEvents } from './events';
import { CacheEventWatch } from './event-watch';
import { InspectCache, InspectSnapshot, ListedContainer, snapshotOf } from './inspect-cache';
import { asReadable, dockerLogOptions } from './logs';
import { pullImage } from './pull';
import { isOwned, moduleFromInspect } from './state';
import {
  CpuSample,
  EngineInfo,
  cpuSample,
  cpuUsage,
  detectVirtualized,
  diskInfo,
  packageVersion,
  systemInfoFrom,
} from './system';
import * as os from 'node:os';
import { networkCreateBody, type NetworkSettings } from './network';

export interface DockerModuleRuntimeOptions {
  docker: Docker;
  logger: Logger;
  /** The module network (created when missing). Default `azure-iot-edge`. */
  network?: string;
  /** IPv6 and address pools of the module network when edged creates it (config.toml's network table). */
  networkSettings?: NetworkSettings;
  clock?: Clock;
  /** Reported as `version` in systemInfo; default: this package's version. */
  version?: string;
  /** config.toml `allow_elevated_docker_permissions` (default true, as upstream). */
  allowElevatedDockerPermissions?: boolean;
  /** Aborting it stops the runtime's own watch of the engine's events (the module list cache). */
  signal?: AbortSignal;
  /** list() inspects a container that started or stopped this recently (ms) every time; default 5000. */
  listCacheSettleMs?: number;
}

const OWNER_FILTER = `${OWNER_LABEL}=${OWNER_VALUE}`;
/** Docker's own answer for "already started" / "already stopped". */
const NOT_MODIFIED = 304;

export class DockerModuleRuntime implements ModuleRuntime {
  readonly network: string;
  private readonly networkSettings: NetworkSettings;
  private readonly docker: Docker;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly version: string;
  private readonly allowElevated: boolean;
  private readonly endpoint: string;
  private readonly networkLock = new Mutex();
  private readonly startedAt: number;
  private lastCpu: CpuSample = { idle: 0, total: 0 };
  private virtualized?: string;
  private readonly cache: InspectCache;
  private readonly watch: CacheEventWatch;

  constructor(options: DockerModuleRuntimeOptions) {
    this.docker = options.docker;
    this.log = options.logger;
    this.network = options.network ?? DEFAULT_NETWORK;
    this.networkSettings = options.networkSettings ?? {};
    this.clock = options.clock ?? systemClock;
    this.version = options.version ?? packageVersion();
    this.allowElevated = options.allowElevatedDockerPermissions ?? true;
    this.endpoint = describeEngine(options.docker);
    this.startedAt = this.clock.now();
    this.cache = new InspectCache(options.listCacheSettleMs);
    this.watch = new CacheEventWatch(this.docker, this.cache, this.endpoint, this.log);
    options.signal?.addEventListener('abort', () => this.close(), { once: true });
  }

  async create(spec: ModuleSpec): Promise<Module> {
    const name = checkModuleName(spec.name);
    if (spec.type !== 'docker') throw new BadRequestError(`Module ${name} has type "${spec.type}"; only "docker" is supported`);
    if (!spec.config?.image) throw new BadRequestError(`Module ${name} has no image`, { hint: 'Set settings.image in the deployment' });
    if (await this.exists(name)) throw conflict(name);

    if (spec.imagePullPolicy === 'never') await this.requireLocalImage(spec.config.image);
    else await this.pull(spec.config);

    await this.ensureNetwork();
    const body = buildCreateBody(spec, this.network, {
      allowElevatedDockerPermissions: this.allowElevated,
      onPrivilegesRemoved: (m) => this.log.warn(`Module ${name}: ${m}`),
    });
    this.log.info(`Creating module ${name} from ${spec.config.image}`);
    try {
      await this.docker.createContainer({ ...body, name } as Docker.ContainerCreateOptions);
    } catch (e) {
      if (statusOf(e) === 409) throw conflict(name, e);
      throw this.fail(e, `create module ${name}`);
    }
    return this.get(name);
  }

  async pull(config: DockerConfig): Promise<void> {
    this.log.info(`Pulling image ${config.image}`);
    await pullImage(this.docker, config, this.endpoint);
    this.log.info(`Pulled image ${config.image}`);
  }

  async start(name: string): Promise<void> {
    const container = await this.owned(name);
    this.log.info(`Starting module ${name}`);
    await this.tolerateNotModified(() => container.start(), `start module ${name}`);
  }

  async stop(name: string, waitBeforeKillSeconds?: number): Promise<void> {
    const container = await this.owned(name);
    this.log.info(`Stopping module ${name}`);
    const opts = waitBeforeKillSeconds === undefined ? {} : { t: Math.max(0, Math.floor(waitBeforeKillSeconds)) };
    await this.tolerateNotModified(() => container.stop(opts), `stop module ${name}`);
  }

  async restart(name: string): Promise<void> {
    const container = await this.owned(name);
    this.log.info(`Restarting module ${name}`);
    await this.call(() => container.restart(), `restart module ${name}`);
  }

  async remove(name: string): Promise<void> {
    const container = await this.owned(name);
    this.log.info(`Removing module ${name}`);
    // As upstream: forced (a running module is killed), volumes kept.
    await this.call(() => container.remove({ force: true, v: false }), `remove module ${name}`);
  }

  async get(name: string): Promise<Module> {
    const info = await this.inspectOwned(name);
    return moduleFromInspect(info);
  }

  async list(): Promise<Module[]> {
    const containers = await this.call(
      () => this.docker.listContainers({ all: true, filters: { label: [OWNER_FILTER] } }),
      'list modules',
    );
    await this.watch.ensure();
    // Inspect gives what the list lacks (exit code, times, env); cached per container while the
    // event stream and the list's State/Status vouch that nothing changed (see inspect-cache.ts).
    // eslint-disable-next-line @typescript-eslint/await-thenable -- a cache hit is a value, a miss a promise
    const inspected = await Promise.all(containers.map((c) => this.cache.lookup(c) ?? this.inspectListed(c)));
    this.cache.retainOnly(containers.map((c) => c.Id));
    return inspected
      .filter((i): i is InspectSnapshot => !!i && isOwned(i.Config?.Labels))
      .map((i) => moduleFromInspect(i as Docker.ContainerInspectInfo))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Stops watching the engine's events (the module list cache goes off). */
  close(): void {
    this.watch.close();
  }

  private async inspectListed(c: ListedContainer): Promise<InspectSnapshot | undefined> {
    const ticket = this.cache.begin(c);
    try {
      const info = snapshotOf(await this.docker.getContainer(c.Id).inspect());
      this.cache.store(ticket, info);
      return info;
    } catch (e) {
      this.cache.abandon();
      if (statusOf(e) === 404) return undefined; // removed meanwhile: drop it, as upstream does
      throw this.fail(e, 'list modules');
    }
  }

  async logs(name: string, options: LogOptions): Promise<Readable> {
    const container = await this.owned(name);
    const result: unknown = await this.call(
      // dockerode's overloads pick the stream type from `follow`; we accept both and normalise.
      () => container.logs(dockerLogOptions(options) as unknown as Docker.ContainerLogsOptions & { follow: true }),
      `read logs of module ${name}`,
    );
    return asReadable(result);
  }

  async systemInfo(): Promise<SystemInfo> {
    const info = (await this.call(() => this.docker.info(), 'query the Docker engine')) as EngineInfo;
    this.virtualized ??= detectVirtualized();
    return systemInfoFrom(info, this.version, this.virtualized);
  }

  async systemResources(): Promise<SystemResources> {
    const info = (await this.call(() => this.docker.info(), 'query the Docker engine')) as EngineInfo;
    const sample = cpuSample();
    const usedCpu = cpuUsage(this.lastCpu, sample);
    this.lastCpu = sample;
    const modules = await this.list();
    // Docker's own stats per module, one JSON array as upstream sends it (not one-shot: CPU deltas need two samples).
    const stats = await Promise.all(
      modules.map((m) =>
        this.docker
          .getContainer(m.id)
          .stats({ stream: false })
          .catch((e: unknown) => {
            this.log.debug(`No stats for module ${m.name}`, { error: String(e) });
            return undefined;
          }),
      ),
    );
    return {
      host_uptime: Math.floor(os.uptime()),
      process_uptime: Math.floor((this.clock.now() - this.startedAt) / 1000),
      used_cpu: usedCpu,
      used_ram: os.totalmem() - os.freemem(),
      total_ram: os.totalmem(),
      disks: diskInfo(info.DockerRootDir),
      docker_stats: JSON.stringify(stats.filter((s) => s !== undefined)),
    };
  }

  events(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    const docker = this.docker;
    const endpoint = this.endpoint;
    const fail = (e: unknown) => this.fail(e, 'watch Docker events');
    return {
      async *[Symbol.asyncIterator]() {
        try {
          yield* streamEvents(docker, signal, endpoint);
        } catch (e) {
          throw fail(e);
        }
      },
    };
  }

  /** Makes sure the module network exists, creating it (with the owner label) when missing. */
  async ensureNetwork(): Promise<void> {
    await this.networkLock.run(async () => {
      const networks = await this.call(
        () => this.docker.listNetworks({ filters: { name: [this.network] } }),
        `list networks`,
      );
      // Docker's name filter matches substrings: compare exactly.
      if (networks.some((n) => n.Name === this.network)) return;
      this.log.info(`Creating network ${this.network}`);
      try {
        await this.docker.createNetwork(networkCreateBody(this.network, this.networkSettings));
      } catch (e) {
        if (statusOf(e) === 409) return; // created by someone else meanwhile
        throw this.fail(e, `create network ${this.network}`);
      }
    });
  }

  private async requireLocalImage(image: string): Promise<void> {
    try {
      await this.docker.getImage(encodeURIComponent(image)).inspect();
    } catch (e) {
      if (statusOf(e) === 404) {
        throw new NotFoundError(`Image ${image} is not on the engine and imagePullPolicy is "never"`, {
          hint: 'Load or pull the image first, or set imagePullPolicy to "on-create"',
          cause: e,
        });
      }
      throw this.fail(e, `inspect image ${image}`);
    }
  }

  private async exists(name: string): Promise<boolean> {
    try {
      await this.docker.getContainer(encodeURIComponent(name)).inspect();
      return true;
    } catch (e) {
      if (statusOf(e) === 404) return false;
      throw this.fail(e, `inspect module ${name}`);
    }
  }

  /** Inspects a container by exact name; missing, or present but not ours, is "not found". */
  private async inspectOwned(name: string): Promise<Docker.ContainerInspectInfo> {
    checkModuleName(name);
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(encodeURIComponent(name)).inspect();
    } catch (e) {
      if (statusOf(e) === 404) throw notFound(name, e);
      throw this.fail(e, `inspect module ${name}`);
    }
    // Docker also resolves ids and id prefixes: only an exact name match of an owned container counts.
    if (info.Name !== `/${name}` || !isOwned(info.Config?.Labels)) throw notFound(name);
    return info;
  }

  private async owned(name: string): Promise<Docker.Container> {
    const info = await this.inspectOwned(name);
    return this.docker.getContainer(info.Id);
  }

  private async tolerateNotModified(fn: () => Promise<unknown>, action: string): Promise<void> {
    try {
      await fn();
    } catch (e) {
      if (statusOf(e) === NOT_MODIFIED) return;
      throw this.fail(e, action);
    }
  }

  private async call<T>(fn: () => Promise<T>, action: string): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.fail(e, action);
    }
  }

  private fail(e: unknown, action: string) {
    return toEdgeError(e, action, this.endpoint);
  }
}

function notFound(name: string, cause?: unknown): NotFoundError {
  return new NotFoundError(`Module ${name} not found`, { hint: 'Run `iotedge list` to see the modules', cause });
}

function conflict(name: string, cause?: unknown): ConflictError {
  return new ConflictError(`Module ${name} already exists`, { hint: 'Remove it first, or update it instead', cause });
}
