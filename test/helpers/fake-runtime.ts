/**
 * An in-memory ModuleRuntime for unit and contract tests: modules live in a Map, time comes from
 * the injected clock, and whatever it does not model (events) throws.
 */
import { Readable } from 'node:stream';
import { ConflictError, NotFoundError } from '../../src/errors';
import type {
  DockerConfig,
  LogOptions,
  Module,
  ModuleRuntime,
  ModuleSpec,
  RuntimeEvent,
  SystemInfo,
  SystemResources,
} from '../../src/runtime/types';
import { ORIGINAL_IMAGE_LABEL, OWNER_LABEL, OWNER_VALUE } from '../../src/runtime/types';
import { FakeClock } from '../../src/util/clock';
import { dockerFrame } from './docker-frame';

export class FakeRuntime implements ModuleRuntime {
  readonly modules = new Map<string, Module>();
  /** Every call, in order: "create tempSensor", "pull img:1", ... */
  readonly calls: string[] = [];
  /** Log lines per module, answered as stdout frames. */
  readonly logLines = new Map<string, string[]>();
  /** The options of the last logs() call. */
  lastLogOptions?: LogOptions;
  /** Images whose pull fails. */
  readonly unpullable = new Set<string>();
  private counter = 0;

  constructor(readonly clock = new FakeClock()) {}

  private must(name: string): Module {
    const m = this.modules.get(name);
    if (!m) throw new NotFoundError(`No such module: ${name}`);
    return m;
  }

  async pull(config: DockerConfig): Promise<void> {
    this.calls.push(`pull ${config.image}`);
    if (this.unpullable.has(config.image)) throw new NotFoundError(`pull access denied for ${config.image}`);
  }

  async create(spec: ModuleSpec): Promise<Module> {
    this.calls.push(`create ${spec.name}`);
    if (this.modules.has(spec.name)) throw new ConflictError(`module ${spec.name} already exists`);
    if (spec.imagePullPolicy === 'on-create') await this.pull(spec.config);
    // The agent's labels (its spec hash) as the engine keeps them, then the owner labels.
    const given = (spec.config.createOptions?.Labels ?? {}) as Record<string, string>;
    const labels = { ...given, [OWNER_LABEL]: OWNER_VALUE, [ORIGINAL_IMAGE_LABEL]: spec.config.image };
    this.modules.set(spec.name, {
      id: `fake${String(++this.counter).padStart(12, '0')}`,
      name: spec.name,
      type: 'docker',
      config: { image: spec.config.image, createOptions: { ...spec.config.createOptions, Labels: labels } },
      env: { ...spec.env },
      labels,
      state: { status: 'stopped', statusDescription: 'created' },
    });
    return structuredClone(this.must(spec.name));
  }

  async start(name: string): Promise<void> {
    this.calls.push(`start ${name}`);
    const m = this.must(name);
    m.state = { status: 'running', statusDescription: 'running', startedAt: new Date(this.clock.now()), pid: 4242 };
  }

  async stop(name: string): Promise<void> {
    this.calls.push(`stop ${name}`);
    const m = this.must(name);
    if (m.state.status !== 'running') return;
    m.state = {
      status: 'stopped',
      statusDescription: 'exited',
      startedAt: m.state.startedAt,
      finishedAt: new Date(this.clock.now()),
      exitCode: 0,
    };
  }

  async restart(name: string): Promise<void> {
    this.calls.push(`restart ${name}`);
    this.must(name);
    await this.start(name);
  }

  async remove(name: string): Promise<void> {
    this.calls.push(`remove ${name}`);
    this.must(name);
    this.modules.delete(name);
  }

  async get(name: string): Promise<Module> {
    return structuredClone(this.must(name));
  }

  async list(): Promise<Module[]> {
    return [...this.modules.values()].sort((a, b) => a.name.localeCompare(b.name)).map((m) => structuredClone(m));
  }

  async logs(name: string, options: LogOptions): Promise<Readable> {
    this.must(name);
    this.lastLogOptions = options;
    const lines = this.logLines.get(name) ?? [];
    const chosen = options.tail === 'all' ? lines : lines.slice(Math.max(0, lines.length - options.tail));
    return Readable.from(chosen.map((l) => dockerFrame(1, l + '\n')));
  }

  async systemInfo(): Promise<SystemInfo> {
    return {
      osType: 'linux',
      architecture: 'x86_64',
      version: '0.1.0',
      server_version: '26.1.5',
      kernel_version: '6.1.0',
      operating_system: 'Debian GNU/Linux 12 (bookworm)',
      cpus: 2,
      total_memory: 4_000_000_000,
      virtualized: 'no',
    };
  }

  async systemResources(): Promise<SystemResources> {
    return {
      host_uptime: 1000,
      process_uptime: 10,
      used_cpu: 12.5,
      used_ram: 1_000_000,
      total_ram: 4_000_000_000,
      disks: [{ name: '/dev/sda1', available_space: 10, total_space: 20, file_system: 'ext4', file_type: 'SSD' }],
      docker_stats: '[]',
    };
  }

  events(_signal: AbortSignal): AsyncIterable<RuntimeEvent> {
    throw new Error('FakeRuntime.events is not implemented');
  }
}
