/**
 * The management API as a ModuleRuntime, so CLI commands are written once against the interface
 * (edgelet's pattern: the `iotedge` CLI's management client implements the runtime trait).
 * Speaks HTTP/1.1 with `api-version=2022-08-03` and turns HTTP errors into EdgeErrors.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import {
  BadRequestError,
  ConflictError,
  EdgeError,
  NotFoundError,
  NotImplementedError,
  UnavailableError,
} from '../../../errors';
import type {
  DockerConfig,
  LogOptions,
  Module,
  ModuleRuntime,
  ModuleSpec,
  ModuleStatus,
  RuntimeEvent,
  SystemInfo,
  SystemResources,
} from '../../../runtime/types';
import { DEFAULT_MANAGEMENT_API_VERSION } from '../versions';
import type { GcReport, GcStatus, ModuleDetails, ModuleSpecBody } from '../wire';
import { parseHost, type Endpoint } from './endpoint';
import { readBody, send, type RequestOptions } from './http';

export const API_VERSION = DEFAULT_MANAGEMENT_API_VERSION;
/** Queries (list, get, system info) give up after this; actions and logs wait as long as they take. */
export const QUERY_TIMEOUT_MS = 60_000;

/** A module as listed: the runtime's view plus the daemon's own status words (e.g. "backoff"). */
export interface ListedModule extends Module {
  runtimeStatus?: { status: string; description?: string };
}

const KNOWN_STATUS: readonly ModuleStatus[] = ['running', 'stopped', 'failed', 'dead', 'unknown'];

/** Docker's "never" is 0001-01-01: any time before 1971 is no time at all. */
function date(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) || d.getTime() < Date.UTC(1971, 0, 1) ? undefined : d;
}

function createOptions(value: unknown): Record<string, unknown> {
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as Record<string, unknown>;
    } catch {
      return {};
    }
  }
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

export function moduleFromApi(d: ModuleDetails): ListedModule {
  const raw = d.status?.runtimeStatus ?? { status: 'unknown' };
  const status = (KNOWN_STATUS as readonly string[]).includes(raw.status.toLowerCase())
    ? (raw.status.toLowerCase() as ModuleStatus)
    : 'unknown';
  const code = d.status?.exitStatus ? Number.parseInt(d.status.exitStatus.statusCode, 10) : Number.NaN;
  const settings = d.config?.settings ?? {};
  return {
    id: d.id,
    name: d.name,
    type: 'docker',
    config: { image: settings.image ?? '', createOptions: createOptions(settings.createOptions), digest: settings.digest },
    env: Object.fromEntries((d.config?.env ?? []).map((e) => [e.key, e.value])),
    labels: {},
    state: {
      status,
      exitCode: Number.isFinite(code) ? code : undefined,
      statusDescription: raw.description,
      startedAt: date(d.status?.startTime),
      finishedAt: date(d.status?.exitStatus?.exitTime),
    },
    runtimeStatus: raw,
  };
}

function specToApi(spec: ModuleSpec): ModuleSpecBody {
  const settings: ModuleSpecBody['config']['settings'] = { image: spec.config.image, createOptions: spec.config.createOptions };
  if (spec.config.digest) settings.digest = spec.config.digest;
  if (spec.config.auth) settings.auth = spec.config.auth;
  return {
    name: spec.name,
    type: spec.type,
    imagePullPolicy: spec.imagePullPolicy === 'never' ? 'Never' : 'On-Create',
    config: { settings, env: Object.entries(spec.env).map(([key, value]) => ({ key, value })) },
  };
}

function messageOf(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: the text itself is the message
  }
  return body.trim() || 'no message';
}

/** One EdgeError per HTTP failure; `module` names the module the request was about. */
export function apiError(status: number, body: string, module?: string): EdgeError {
  const message = messageOf(body);
  const cause = new Error(`HTTP ${status}: ${message}`);
  if (status === 404 && module !== undefined) {
    return new NotFoundError(`module '${module}' not found`, { hint: 'Run `iotedge list` to see the modules', cause });
  }
  if (status === 404) return new NotFoundError(`not found: ${message}`, { cause });
  if (status === 400) return new BadRequestError(`the IoT Edge daemon rejected the request: ${message}`, { cause });
  if (status === 409) return new ConflictError(message, { cause });
  if (status === 501) return new NotImplementedError(`not supported by the IoT Edge daemon: ${message}`, { cause });
  if (status === 503) return new UnavailableError(`the IoT Edge daemon is unavailable: ${message}`, { cause });
  return new EdgeError(`the IoT Edge daemon answered ${status}: ${message}`, { cause });
}

function path(route: string, query: Record<string, string> = {}): string {
  const q = new URLSearchParams({ 'api-version': API_VERSION, ...query });
  return `${route}?${q.toString()}`;
}

const mod = (name: string) => `/modules/${encodeURIComponent(name)}`;

export class ManagementClient implements ModuleRuntime {
  readonly endpoint: Endpoint;

  /** `signal` aborts every request in flight (the CLI's Ctrl-C). */
  constructor(
    host: string,
    private readonly signal?: AbortSignal,
    private readonly queryTimeoutMs = QUERY_TIMEOUT_MS,
  ) {
    this.endpoint = parseHost(host);
  }

  private async call(options: RequestOptions, module?: string): Promise<IncomingMessage> {
    const res = await send(this.endpoint, { signal: this.signal, ...options });
    const status = res.statusCode ?? 0;
    if (status >= 200 && status < 300) return res;
    throw apiError(status, await readBody(res), module);
  }

  private async json<T>(options: RequestOptions, module?: string): Promise<T> {
    const body = await readBody(await this.call({ timeoutMs: options.method === 'GET' ? this.queryTimeoutMs : undefined, ...options }, module));
    try {
      return JSON.parse(body) as T;
    } catch (e) {
      throw new EdgeError('the IoT Edge daemon sent an answer that is not JSON', {
        hint: 'Check that -H/--host names the management socket',
        cause: e,
      });
    }
  }

  private async empty(options: RequestOptions, module?: string): Promise<void> {
    await readBody(await this.call(options, module));
  }

  async list(): Promise<ListedModule[]> {
    const body = await this.json<{ modules: ModuleDetails[] }>({ method: 'GET', path: path('/modules') });
    return (body.modules ?? []).map(moduleFromApi).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async get(name: string): Promise<ListedModule> {
    return moduleFromApi(await this.json<ModuleDetails>({ method: 'GET', path: path(mod(name)) }, name));
  }

  async create(spec: ModuleSpec): Promise<ListedModule> {
    return moduleFromApi(await this.json<ModuleDetails>({ method: 'POST', path: path('/modules'), body: specToApi(spec) }));
  }

  async start(name: string): Promise<void> {
    await this.empty({ method: 'POST', path: path(`${mod(name)}/start`) }, name);
  }

  async stop(name: string): Promise<void> {
    await this.empty({ method: 'POST', path: path(`${mod(name)}/stop`) }, name);
  }

  async restart(name: string): Promise<void> {
    await this.empty({ method: 'POST', path: path(`${mod(name)}/restart`) }, name);
  }

  async remove(name: string): Promise<void> {
    await this.empty({ method: 'DELETE', path: path(mod(name)) }, name);
  }

  async logs(name: string, options: LogOptions, signal?: AbortSignal): Promise<Readable> {
    const query: Record<string, string> = {
      follow: String(options.follow),
      tail: String(options.tail),
      timestamps: String(options.timestamps),
      since: String(options.since ?? 0),
    };
    if (options.until !== undefined) query.until = String(options.until);
    return this.call({ method: 'GET', path: path(`${mod(name)}/logs`, query), signal: signal ?? this.signal }, name);
  }

  async systemInfo(): Promise<SystemInfo> {
    return this.json<SystemInfo>({ method: 'GET', path: path('/systeminfo') });
  }

  async systemResources(): Promise<SystemResources> {
    return this.json<SystemResources>({ method: 'GET', path: path('/systeminfo/resources') });
  }

  /** Not upstream routes: edged's image garbage collection (`iotedge system status`, `prune-images`). */
  async imageGcStatus(): Promise<GcStatus> {
    return this.json<GcStatus>({ method: 'GET', path: path('/images/gc') });
  }

  async pruneImages(options: { dryRun: boolean }): Promise<GcReport> {
    return this.json<GcReport>({ method: 'POST', path: path('/images/prune', options.dryRun ? { dryRun: 'true' } : {}) });
  }

  async reprovision(): Promise<void> {
    await this.empty({ method: 'POST', path: path('/device/reprovision') });
  }

  async pull(_config: DockerConfig): Promise<void> {
    throw new NotImplementedError('the management API has no pull route');
  }

   
  async *events(_signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    throw new NotImplementedError('the management API has no event stream');
  }
}
