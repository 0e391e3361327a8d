/**
 * The local edge agent: keeps the engine in line with a deployment. Every change (a new manifest,
 * an engine event, a restart timer) becomes a reconciliation pass: observe, plan (pure), execute.
 * Passes are serialized and coalesced, and each holds the deployment lock so that the image
 * collector never removes an image a pass is about to use.
 */
import { promises as fs } from 'node:fs';
import { NotFoundError } from '../errors';
import type { ModuleRuntime, RuntimeEvent } from '../runtime/types';
import { writeFileAtomic } from '../util/atomic-write';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import type { Mutex } from '../util/mutex';
import { watchEvents } from './event-watcher';
import { execute, StepFailure, StepHandlers } from './executor';
import { DeploymentError } from './manifest/errors';
import { parseDeploymentText } from './manifest/parse';
import { CurrentModule, currentOf, ModuleHealth } from './planner/current';
import { plan } from './planner/plan';
import type { Step } from './planner/steps';
import { PassQueue } from './pass-queue';
import { backoffDescription, buildReportedState, ReportedState } from './reported-state';
import { coolOffMs } from './restart-policy';
import { WakeScheduler } from './scheduler';
import { moduleSpecOf } from './spec';
import { DEFAULT_RESTART_SETTINGS, Deployment, DeploymentStatus, DeploymentStatusCode, RestartSettings } from './types';

export interface AgentOptions {
  runtime: ModuleRuntime;
  clock: Clock;
  logger: Logger;
  /** Shared with the image collector: held for every pass. */
  lock: Mutex;
  /** Where the reported state is written (atomically); none: kept in memory only. */
  reportedStateFile?: string;
  settings?: Partial<RestartSettings>;
  /** Measurement hook: a restart due at `scheduledAt` was issued at `issuedAt` and had started at `startedAt` (clock ms). */
  onRestarted?: (restart: { name: string; scheduledAt?: number; issuedAt: number; startedAt: number }) => void;
}

export interface PassResult {
  failures: StepFailure[];
  error?: unknown;
}

export interface ModuleStatusOverlay {
  status: 'backoff' | 'unhealthy';
  description: string;
}

export class Agent {
  readonly settings: RestartSettings;
  private readonly runtime: ModuleRuntime;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly lock: Mutex;
  private deployment?: Deployment;
  /** True when the newest manifest was accepted; a rejected one leaves the old deployment running. */
  private latestAccepted = false;
  private lastDesiredVersion?: number;
  private lastDesiredStatus: DeploymentStatus = { code: DeploymentStatusCode.empty, description: 'no deployment applied yet' };
  private health: Record<string, ModuleHealth> = {};
  private readonly backoff = new Map<string, { at: number; restartCount: number }>();
  private readonly errors = new Map<string, string>();
  private readonly retries = new Map<string, number>();
  private readonly scheduler: WakeScheduler;
  private readonly abort = new AbortController();
  private watcher?: Promise<void>;
  private readonly passes: PassQueue<PassResult>;
  private writing?: Promise<void>;
  private writeAgain = false;
  private readonly handlers: StepHandlers;

  constructor(private readonly options: AgentOptions) {
    this.runtime = options.runtime;
    this.clock = options.clock;
    this.log = options.logger;
    this.lock = options.lock;
    this.settings = { ...DEFAULT_RESTART_SETTINGS, ...options.settings };
    this.scheduler = new WakeScheduler(this.clock, (name) => void this.kick([name]));
    this.handlers = this.buildHandlers();
    this.passes = new PassQueue(
      () => this.runPass(),
      (name) => this.runPass(name),
    );
  }

  /** Restores the restart history of a previous run, then follows the engine's events. */
  async start(): Promise<void> {
    await this.restoreHistory();
    this.watcher = watchEvents(
      {
        runtime: this.runtime,
        clock: this.clock,
        logger: this.log,
        onEvent: (e) => this.onEvent(e),
        onReconnect: () => void this.kick(),
      },
      this.abort.signal,
    );
  }

  /** Stops watching and scheduling; the modules keep running, as upstream's agent leaves them. */
  async stop(): Promise<void> {
    this.abort.abort();
    this.scheduler.cancelAll();
    await this.watcher;
    await this.passes.idle();
    await this.writing;
  }

  /** Parses and applies a manifest; a rejected one is reported and changes nothing. */
  async applyText(text: string): Promise<DeploymentStatus> {
    let deployment: Deployment;
    try {
      deployment = parseDeploymentText(text);
    } catch (e) {
      if (!(e instanceof DeploymentError)) throw e;
      this.latestAccepted = false;
      this.lastDesiredStatus = { code: e.code, description: e.message };
      this.log.error(`Deployment rejected: ${e.message}. The previous deployment keeps running`);
      this.requestWrite();
      return this.lastDesiredStatus;
    }
    return this.apply(deployment);
  }

  /** For a manifest that could not even be read: reported like a rejected one. */
  reject(status: DeploymentStatus): void {
    this.latestAccepted = false;
    this.lastDesiredStatus = status;
    this.log.error(`Deployment rejected: ${status.description}. The previous deployment keeps running`);
    this.requestWrite();
  }

  async apply(deployment: Deployment): Promise<DeploymentStatus> {
    this.deployment = deployment;
    this.latestAccepted = true;
    this.lastDesiredVersion = deployment.version ?? (this.lastDesiredVersion ?? 0) + 1;
    this.retries.clear();
    this.log.info(`Applying deployment version ${this.lastDesiredVersion} (${deployment.modules.length} modules)`);

    await this.kick();
    return this.lastDesiredStatus;
  }

  /** Asks for a pass (full, or for some modules) and resolves when a pass covering it has run. */
  async kick(scope?: string[]): Promise<PassResult> {
    if (this.abort.signal.aborted) return { failures: [] };
    if (!scope) return this.passes.full();
    const results = await Promise.all(scope.map((name) => this.passes.module(name)));
    return { failures: results.flatMap((r) => r.failures), error: results.find((r) => r.error)?.error };
  }

  /** The overlay `iotedge list` shows over the engine's status: a module waiting to restart. */
  moduleStatus(name: string): ModuleStatusOverlay | undefined {
    const b = this.backoff.get(name);
    if (b) return { status: 'backoff', description: `Backoff: ${backoffDescription(b, this.clock.now(), this.settings.maxRestartCount)}` };
    if (this.health[name]?.unhealthy) return { status: 'unhealthy', description: 'Unhealthy' };
    return undefined;
  }

  /** Images the current desired deployment names (the collector must keep them). */
  desiredImages(): string[] {
    const images = (this.deployment?.modules ?? []).map((m) => m.image);
    if (this.deployment?.edgeAgentImage) images.push(this.deployment.edgeAgentImage);
    return [...new Set(images)];
  }

  get desired(): Deployment | undefined {
    return this.deployment;
  }

  async reportedState(): Promise<ReportedState> {
    let current = new Map<string, CurrentModule>();
    try {
      current = new Map((await this.runtime.list()).map((m) => [m.name, currentOf(m)]));
    } catch (e) {
      this.log.debug(`Reported state without the engine's view: ${String(e)}`);
    }
    return buildReportedState({
      deployment: this.deployment,
      lastDesiredVersion: this.lastDesiredVersion,
      lastDesiredStatus: this.lastDesiredStatus,
      current,
      health: this.health,
      backoff: this.backoff,
      errors: this.errors,
      maxRestartCount: this.settings.maxRestartCount,
      now: this.clock.now(),
    });
  }

  /** Resolves once the reported-state file reflects everything up to now. */
  async flushReportedState(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /** One pass, full or for one module; never rejects (the outcome is in the result). */
  private async runPass(name?: string): Promise<PassResult> {
    let result: PassResult;
    try {
      result = { failures: await this.pass(name) };
    } catch (error) {
      this.log.warn(`Reconciliation failed: ${error instanceof Error ? error.message : String(error)}`);
      result = { failures: [], error };
    }
    if (name === undefined && this.latestAccepted) this.lastDesiredStatus = statusFrom(result);
    this.requestWrite();
    return result;
  }

  /**
   * Observe, plan, execute. A full pass holds the deployment lock throughout; a pass for one
   * module takes it only when it creates a container (a restart needs no image the collector
   * could take away), so restarts are not delayed behind a collection.
   */
  private async pass(name?: string): Promise<StepFailure[]> {
    const deployment = this.deployment;
    if (!deployment || this.abort.signal.aborted) return [];
    const planNow = async () => {
      const current = name === undefined ? (await this.runtime.list()).map(currentOf) : await this.observe([name]);
      const scope = name === undefined ? undefined : new Set([name]);
      return plan(current, deployment.modules, { now: this.clock.now(), health: this.health, settings: this.settings, scope });
    };
    const run = async (steps: Step[]) => {
      if (steps.length) this.log.debug(`Plan: ${steps.map((s) => `${s.kind} ${s.name}`).join(', ')}`);
      const failures = await execute(steps, this.handlers, this.log);
      for (const f of failures) this.retryLater(f);
      return failures;
    };
    if (name === undefined) return this.lock.run(async () => run(await planNow()));
    const steps = await planNow();
    if (!steps.some((s) => s.kind === 'create' || s.kind === 'recreate')) return run(steps);
    // Creating: plan again under the lock, the collector may have run meanwhile.
    return this.lock.run(async () => run(await planNow()));
  }

  private async observe(names: string[]): Promise<CurrentModule[]> {
    const found = await Promise.all(
      names.map((n) =>
        this.runtime.get(n).then(currentOf, (e: unknown) => {
          if (e instanceof NotFoundError) return undefined;
          throw e;
        }),
      ),
    );
    return found.filter((c): c is CurrentModule => !!c);
  }

  /** A step that failed (image missing, engine hiccup) is tried again with the restart cool-off. */
  private retryLater(f: StepFailure): void {
    const n = this.retries.get(f.step.name) ?? 0;
    this.retries.set(f.step.name, n + 1);
    const at = this.clock.now() + coolOffMs(n, this.settings);
    this.errors.set(f.step.name, `${f.step.kind} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
    this.scheduler.schedule(f.step.name, at);
  }

  private healthOf(name: string): ModuleHealth {
    return (this.health[name] ??= { restartCount: 0 });
  }

  private started(name: string): void {
    const h = this.healthOf(name);
    h.lastStartTime = this.clock.now();
    h.unhealthy = false;
    this.backoff.delete(name);
    this.errors.delete(name);
    this.retries.delete(name);
  }

  private buildHandlers(): StepHandlers {
    return {
      create: async (s) => {
        this.log.info(`Creating module ${s.name} (${s.module.image})`);
        this.health[s.name] = { restartCount: 0 };
        await this.runtime.create(moduleSpecOf(s.module));
        this.errors.delete(s.name);
      },
      recreate: async (s) => {
        this.log.info(`Recreating module ${s.name}: ${s.changed.join(', ')} changed`);
        await this.runtime.remove(s.name);
        this.health[s.name] = { restartCount: 0 };
        this.backoff.delete(s.name);
        this.scheduler.cancel(s.name);
        await this.runtime.create(moduleSpecOf(s.module));
        this.errors.delete(s.name);
      },
      remove: async (s) => {
        this.log.info(`Removing module ${s.name}: ${s.reason}`);
        this.scheduler.cancel(s.name);
        await this.runtime.remove(s.name);
        delete this.health[s.name];
        this.backoff.delete(s.name);
        this.errors.delete(s.name);
      },
      start: async (s) => {
        await this.runtime.start(s.name);
        this.started(s.name);
      },
      stop: async (s) => {
        this.scheduler.cancel(s.name);
        this.backoff.delete(s.name);
        await this.runtime.stop(s.name);
      },
      restart: async (s) => {
        const scheduledAt = this.backoff.get(s.name)?.at;
        const h = this.healthOf(s.name);
        h.restartCount = s.restartCount + 1;
        h.lastRestartTime = this.clock.now();
        h.gaveUp = false;
        this.log.info(`Restarting module ${s.name} (restart ${h.restartCount} of ${this.settings.maxRestartCount})`);
        const issuedAt = this.clock.now();
        if (s.unhealthy) await this.runtime.restart(s.name);
        else await this.runtime.start(s.name);
        this.started(s.name);
        this.options.onRestarted?.({ name: s.name, scheduledAt, issuedAt, startedAt: this.clock.now() });
      },
      'schedule-restart': async (s) => {
        const h = this.healthOf(s.name);
        // The count the policy used (it resets after the intensive-care time).
        h.restartCount = s.restartCount;
        if (this.backoff.get(s.name)?.at !== s.at) {
          const seconds = Math.round((s.at - this.clock.now()) / 1000);
          this.log.info(`Module ${s.name} stopped; restarting it in ${seconds} s (restart ${s.restartCount + 1} of ${this.settings.maxRestartCount})`);
        }
        this.backoff.set(s.name, { at: s.at, restartCount: s.restartCount });
        this.scheduler.schedule(s.name, s.at);
      },
      'give-up': async (s) => {
        const h = this.healthOf(s.name);
        h.gaveUp = true;
        h.restartCount = s.restartCount;
        this.backoff.delete(s.name);
        this.log.warn(`Module ${s.name} failed after ${s.restartCount} restarts; not restarting it again`);
      },
      'reset-restarts': async (s) => {
        const h = this.healthOf(s.name);
        this.log.info(`Module ${s.name} has run for ${Math.round(this.settings.intensiveCareMs / 1000)} s; its restart count is reset`);
        h.restartCount = 0;
        h.gaveUp = false;
      },
      'schedule-check': async (s) => {
        this.scheduler.schedule(s.name, s.at);
      },
    };
  }

  private onEvent(e: RuntimeEvent): void {
    const now = this.clock.now();
    const h = this.healthOf(e.name);
    if (e.action === 'start') {
      h.lastStartTime = now;
      h.unhealthy = false;
      this.backoff.delete(e.name);
    } else if (e.action === 'die') {
      h.lastExitTime = now;
      if (e.exitCode !== undefined) h.exitCode = e.exitCode;
    } else if (e.action.startsWith('health_status')) {
      const unhealthy = /\bunhealthy\b/.test(e.action);
      if (unhealthy && !h.unhealthy) h.lastExitTime = now;
      h.unhealthy = unhealthy;
    } else if (e.action !== 'destroy' && e.action !== 'oom') {
      return;
    }
    void this.kick([e.name]);
  }

  private requestWrite(): void {
    const file = this.options.reportedStateFile;
    if (!file) return;
    if (this.writing) {
      this.writeAgain = true;
      return;
    }
    this.writing = (async () => {
      do {
        this.writeAgain = false;
        try {
          const doc = await this.reportedState();
          await writeFileAtomic(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
        } catch (e) {
          this.log.warn(`Could not write ${file}: ${e instanceof Error ? e.message : String(e)}`);
        }
      } while (this.writeAgain);
      this.writing = undefined;
    })();
  }

  /** Restart counts survive edged restarts: they are read back from the last reported state. */
  private async restoreHistory(): Promise<void> {
    const file = this.options.reportedStateFile;
    if (!file) return;
    let doc: Partial<ReportedState>;
    try {
      doc = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<ReportedState>;
    } catch {
      return;
    }
    if (typeof doc.lastDesiredVersion === 'number') this.lastDesiredVersion = doc.lastDesiredVersion;
    const entries = { ...(doc.systemModules ?? {}), ...(doc.modules ?? {}) } as Record<string, Record<string, unknown>>;
    const time = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : undefined);
    for (const [name, m] of Object.entries(entries)) {
      if (!m || typeof m.restartCount !== 'number') continue;
      this.health[name] = {
        restartCount: m.restartCount,
        lastStartTime: time(m.lastStartTimeUtc),
        lastExitTime: time(m.lastExitTimeUtc),
        lastRestartTime: time(m.lastRestartTimeUtc),
        gaveUp: m.runtimeStatus === 'failed' && m.restartCount >= this.settings.maxRestartCount,
      };
    }
  }
}

function statusFrom(result: PassResult): DeploymentStatus {
  if (result.error) return { code: DeploymentStatusCode.failed, description: String((result.error as Error)?.message ?? result.error) };
  if (result.failures.length) {
    const first = result.failures[0];
    const more = result.failures.length > 1 ? ` (and ${result.failures.length - 1} more)` : '';
    return {
      code: DeploymentStatusCode.failed,
      description: `module ${first.step.name}: ${first.step.kind} failed: ${first.error instanceof Error ? first.error.message : String(first.error)}${more}`,
    };
  }
  return { code: DeploymentStatusCode.ok, description: '' };
}
