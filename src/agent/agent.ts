/**
 * The local edge agent: keeps the engine in line with a deployment. Every change (a new manifest,
 * an engine event, a restart timer) becomes a reconciliation pass: observe, plan (pure), execute.
 * Full passes run alone and hold the deployment lock, so the image collector never removes an
 * image a pass is about to use; passes for single modules (restarts) run concurrently.
 */
import { promises as fs } from 'node:fs';
import { NotFoundError } from '../errors';
import type { ModuleRuntime, RuntimeEvent } from '../runtime/types';
import type { Clock } from '../util/clock';
import { readEngineOutage, writeEngineOutage } from '../util/engine-outage-record';
import type { Logger } from '../util/log';
import type { Mutex } from '../util/mutex';
import { watchEvents } from './event-watcher';
import { execute, StepFailure, StepHandlers } from './executor';
import { DeploymentError } from './manifest/errors';
import { parseDeploymentText } from './manifest/parse';
import { ModuleMemory } from './memory';
import { PassQueue } from './pass-queue';
import { CurrentModule, currentOf, UnwatchedTime } from './planner/current';
import { plan } from './planner/plan';
import type { Step } from './planner/steps';
import { backoffDescription, buildReportedState, ReportedState } from './reported-state';
import { ReportedStateFile } from './reported-state-file';
import { coolOffMs } from './restart-policy';
import { WakeScheduler } from './scheduler';
import { RestartMeasurement, stepHandlers } from './step-handlers';
import { DEFAULT_RESTART_SETTINGS, Deployment, DeploymentStatus, DeploymentStatusCode, RestartSettings } from './types';

export interface AgentOptions {
  runtime: ModuleRuntime;
  clock: Clock;
  logger: Logger;
  /** Shared with the image collector. */
  lock: Mutex;
  /** Where the reported state is written (atomically); none: kept in memory only. */
  reportedStateFile?: string;
  /**
   * Where an engine outage in progress is recorded, so an edged started while (or after) the engine
   * was away still knows the modules stopped with it (the exits the run before saw are then its
   * reported state's, which alone would keep their backoff).
   */
  outageFile?: string;
  settings?: Partial<RestartSettings>;
  /** More sections of the reported state from other parts of edged (the image collector's last run). */
  reportedExtras?: () => Record<string, unknown>;
  /** Measurement hook (bench): when a scheduled restart was due, issued and done (clock ms). */
  onRestarted?: (restart: RestartMeasurement) => void;
}

/**
 * A planned stop of the engine stops every container before the engine goes (the dockerd
 * service's stop: docker stop with each container's own timeout): exits this long before the
 * event stream broke belong to the outage.
 */
export const ENGINE_STOP_GRACE_MS = 30_000;
const KEPT_OUTAGES = 5;
/**
 * How long a planned stop of the engine, once announced, holds the restarts of modules that stop:
 * the dockerd service's stop-timeout (90 s) and some slack. Past it, an exit is judged as usual,
 * so a stop that never came (an announcement left behind) cannot disable restarts.
 */
export const PLANNED_STOP_HOLD_MS = 120_000;

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
  private deployment?: Deployment;
  /** True when the newest manifest was accepted; a rejected one leaves the old deployment running. */
  private latestAccepted = false;
  private lastDesiredVersion?: number;
  private lastDesiredStatus: DeploymentStatus = { code: DeploymentStatusCode.empty, description: 'no deployment applied yet' };
  private readonly memory = new ModuleMemory();
  private readonly scheduler: WakeScheduler;
  private readonly abort = new AbortController();
  private watcher?: Promise<void>;
  private readonly passes: PassQueue<PassResult>;
  private readonly handlers: StepHandlers;
  private readonly stateFile?: ReportedStateFile;
  private watchedSince?: number;
  private readonly outages: { from: number; to: number }[] = [];
  /** Since when the engine is away (its event stream broke), until a full pass reaches it again. */
  private outageFrom?: number;
  /** The engine's supervisor is stopping the modules on purpose: until then, exits are not restarted. */
  private plannedStopUntil?: number;

  constructor(private readonly options: AgentOptions) {
    this.runtime = options.runtime;
    this.clock = options.clock;
    this.log = options.logger;
    this.settings = { ...DEFAULT_RESTART_SETTINGS, ...options.settings };
    this.scheduler = new WakeScheduler(this.clock, (name) => void this.kick([name]));
    this.handlers = stepHandlers({
      runtime: this.runtime,
      clock: this.clock,
      log: this.log,
      settings: this.settings,
      memory: this.memory,
      scheduler: this.scheduler,
      onRestarted: options.onRestarted,
    });
    this.passes = new PassQueue(
      () => this.runPass(),
      (name) => this.runPass(name),
    );
    if (options.reportedStateFile) this.stateFile = new ReportedStateFile(options.reportedStateFile, () => this.reportedState(), this.log);
  }

  /** Restores the restart history of a previous run, then follows the engine's events. */
  async start(): Promise<void> {
    if (this.stateFile) {
      const previous = await this.stateFile.restore(this.settings.maxRestartCount);
      this.memory.health = previous.health;
      this.lastDesiredVersion = previous.lastDesiredVersion;
    }
    this.watchedSince = this.clock.now();
    if (this.options.outageFile) {
      const outage = await readEngineOutage(this.options.outageFile);
      if (outage) this.outageFrom = outage.from;
    }
    this.watcher = watchEvents(
      {
        runtime: this.runtime,
        clock: this.clock,
        logger: this.log,
        onEvent: (e) => this.onEvent(e),
        onReconnect: () => void this.kick(),
        onDown: () => this.engineDown(),
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
    await this.stateFile?.flush();
  }

  /** Parses and applies a manifest; a rejected one is reported and changes nothing. */
  async applyText(text: string): Promise<DeploymentStatus> {
    let deployment: Deployment;
    try {
      deployment = parseDeploymentText(text);
    } catch (e) {
      if (!(e instanceof DeploymentError)) throw e;
      this.reject({ code: e.code, description: e.message });
      return this.lastDesiredStatus;
    }
    return this.apply(deployment);
  }

  /** A manifest that was rejected or could not be read: reported; the running deployment stays. */
  reject(status: DeploymentStatus): void {
    this.latestAccepted = false;
    this.lastDesiredStatus = status;
    this.log.error(`Deployment rejected: ${status.description}. The previous deployment keeps running`);
    this.stateFile?.request();
  }

  async apply(deployment: Deployment): Promise<DeploymentStatus> {
    this.deployment = deployment;
    this.latestAccepted = true;
    this.lastDesiredVersion = deployment.version ?? (this.lastDesiredVersion ?? 0) + 1;
    this.memory.retries.clear();
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
    const wanted = this.deployment?.modules.find((m) => m.name === name);
    const b = wanted?.status === 'running' ? this.memory.backoff.get(name) : undefined;
    if (b) return { status: 'backoff', description: `Backoff: ${backoffDescription(b, this.clock.now(), this.settings.maxRestartCount)}` };
    if (this.memory.health[name]?.unhealthy) return { status: 'unhealthy', description: 'Unhealthy' };
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
    const state = buildReportedState({
      deployment: this.deployment,
      lastDesiredVersion: this.lastDesiredVersion,
      lastDesiredStatus: this.lastDesiredStatus,
      current,
      health: this.memory.health,
      backoff: this.memory.backoff,
      errors: this.memory.errors,
      maxRestartCount: this.settings.maxRestartCount,
      now: this.clock.now(),
    });
    return { ...this.options.reportedExtras?.(), ...state };
  }

  /** Resolves once the reported-state file reflects everything up to now. */
  async flushReportedState(): Promise<void> {
    await this.stateFile?.flush();
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
    // A step that failed in the last full pass succeeded later, on its retry: the deployment is applied.
    else if (this.latestAccepted && this.lastDesiredStatus.code === DeploymentStatusCode.failed && !result.error && this.memory.errors.size === 0) {
      this.lastDesiredStatus = { code: DeploymentStatusCode.ok, description: '' };
    }
    this.stateFile?.request();
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
    if (name !== undefined && this.holdingForPlannedStop()) {
      this.log.debug(`${name} stopped with the engine's planned stop: not restarted`);
      return [];
    }
    const planNow = async () => {
      const current = name === undefined ? (await this.runtime.list()).map(currentOf) : await this.observe(name);
      const scope = name === undefined ? undefined : new Set([name]);
      const now = this.clock.now();
      const unwatched = this.unwatched(now);
      if (name === undefined) this.engineBack(now);
      return plan(current, deployment.modules, { now, health: this.memory.health, settings: this.settings, scope, unwatched });
    };
    const run = async (steps: Step[]) => {
      if (steps.length) this.log.debug(`Plan: ${steps.map((s) => `${s.kind} ${s.name}`).join(', ')}`);
      const failures = await execute(steps, this.handlers, this.log);
      for (const f of failures) this.retryLater(f);
      return failures;
    };
    if (name === undefined) return this.options.lock.run(async () => run(await planNow()));
    const steps = await planNow();
    if (!steps.some((s) => s.kind === 'create' || s.kind === 'recreate')) return run(steps);
    // Creating: plan again under the lock, the collector may have run meanwhile.
    return this.options.lock.run(async () => run(await planNow()));
  }

  private unwatched(now: number): UnwatchedTime | undefined {
    if (this.watchedSince === undefined) return undefined;
    const open = this.outageFrom === undefined ? [] : [{ from: this.outageFrom, to: now }];
    return { watchedSince: this.watchedSince, outages: [...this.outages, ...open] };
  }

  private engineDown(): void {
    // The planned stop has come: the modules stopped inside it start at once when the engine is back.
    this.plannedStopUntil = undefined;
    if (this.outageFrom !== undefined) return;
    this.outageFrom = this.clock.now() - ENGINE_STOP_GRACE_MS;
    const file = this.options.outageFile;
    if (file) void writeEngineOutage(file, { from: this.outageFrom, planned: false }).catch(() => undefined);
  }

  private holdingForPlannedStop(): boolean {
    if (this.plannedStopUntil === undefined) return false;
    if (this.clock.now() < this.plannedStopUntil) return true;
    this.plannedStopUntil = undefined;
    return false;
  }

  /**
   * A module stopped while the engine still answers: is its supervisor stopping everything on
   * purpose (its record says so)? Then the exit belongs to that outage, and nothing is restarted
   * until the engine has gone and come back.
   */
  private async notePlannedStop(): Promise<void> {
    const file = this.options.outageFile;
    if (!file || this.outageFrom !== undefined) return;
    const outage = await readEngineOutage(file);
    const now = this.clock.now();
    if (!outage?.planned || now > outage.from + PLANNED_STOP_HOLD_MS || this.outageFrom !== undefined) return;
    this.outageFrom = outage.from;
    this.plannedStopUntil = outage.from + PLANNED_STOP_HOLD_MS;
    this.log.info('The engine is being stopped on purpose: modules that stop now are not restarted, and start again with it');
  }

  /** A full list answered: the engine is back, its outage ends now. */
  private engineBack(now: number): void {
    if (this.outageFrom === undefined) return;
    this.outages.push({ from: this.outageFrom, to: now });
    this.outages.splice(0, Math.max(0, this.outages.length - KEPT_OUTAGES));
    this.outageFrom = undefined;
    if (this.options.outageFile) void fs.rm(this.options.outageFile, { force: true });
  }

  private async observe(name: string): Promise<CurrentModule[]> {
    try {
      return [currentOf(await this.runtime.get(name))];
    } catch (e) {
      if (e instanceof NotFoundError) return [];
      throw e;
    }
  }

  /** A step that failed (image missing, engine hiccup) is tried again with the restart cool-off. */
  private retryLater(f: StepFailure): void {
    const n = this.memory.retries.get(f.step.name) ?? 0;
    this.memory.retries.set(f.step.name, n + 1);
    this.memory.errors.set(f.step.name, `${f.step.kind} failed: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
    this.scheduler.schedule(f.step.name, this.clock.now() + coolOffMs(n, this.settings));
  }

  /** Engine events, on the agent's clock: exits and health changes trigger a pass for that module. */
  private onEvent(e: RuntimeEvent): void {
    const now = this.clock.now();
    const h = this.memory.healthOf(e.name);
    if (e.action === 'start') {
      h.lastStartTime = now;
      h.unhealthy = false;
      this.memory.backoff.delete(e.name);
    } else if (e.action === 'die') {
      h.lastExitTime = now;
      if (e.exitCode !== undefined) h.exitCode = e.exitCode;
      void this.notePlannedStop().then(() => this.kick([e.name]));
      return;
    } else if (e.action.startsWith('health_status')) {
      const unhealthy = /\bunhealthy\b/.test(e.action);
      if (unhealthy && !h.unhealthy) h.lastExitTime = now;
      h.unhealthy = unhealthy;
    } else if (e.action !== 'destroy' && e.action !== 'oom') {
      return;
    }
    void this.kick([e.name]);
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
