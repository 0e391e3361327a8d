/**
 * The local-deployment component of edged: with `[local_deployment] file = ...` in config.toml,
 * edged runs that deployment itself (no edgeAgent container, no cloud), on the runtime it is
 * given. It answers what the management API and the image collector ask of the agent:
 * moduleStatus, reportedState, desiredImages.
 */
import * as path from 'node:path';
import type { ModuleStatusOverlay } from '../api/management/context';
import type { ModuleRuntime } from '../runtime/types';
import type { Component, EdgedContext } from './context';
import { Agent } from '../agent/agent';
import { DeploymentFileWatcher } from '../agent/file-watcher';
import { localDeploymentSettings } from '../agent/settings';
import { DeploymentStatusCode } from '../agent/types';

export const REPORTED_STATE_FILE = 'reported-state.json';
export const ENGINE_OUTAGE_FILE = 'engine-outage.json';

export interface LocalDeploymentComponent extends Component {
  /** Resolves when the deployment file's current content has been applied. */
  settled(): Promise<void>;
  desiredImages(): string[];
  moduleStatus(name: string): ModuleStatusOverlay | undefined;
  reportedState(): Promise<object>;
  readonly agent: Agent | undefined;
}

export interface LocalDeploymentOptions {
  /** The image collector's part of the reported state (its last run), when there is one. */
  gcReportedState?: () => Record<string, unknown>;
}

export function createLocalDeploymentComponent(ctx: EdgedContext, runtime: ModuleRuntime, options: LocalDeploymentOptions = {}): LocalDeploymentComponent | undefined {
  const settings = localDeploymentSettings(ctx.config.local_deployment);
  if (!settings) return undefined;
  const log = ctx.logger.child('agent');
  let agent: Agent | undefined;
  let watcher: DeploymentFileWatcher | undefined;
  let watching: Promise<void> = Promise.resolve();

  return {
    name: 'local-deployment',
    get agent() {
      return agent;
    },
    desiredImages: () => agent?.desiredImages() ?? [],
    moduleStatus: (name) => agent?.moduleStatus(name),
    reportedState: async () => (agent ? agent.reportedState() : {}),
    async start() {
      agent = new Agent({
        runtime,
        clock: ctx.clock,
        logger: log,
        lock: ctx.deploymentLock,
        reportedStateFile: path.join(ctx.home, REPORTED_STATE_FILE),
        outageFile: path.join(ctx.home, ENGINE_OUTAGE_FILE),
        settings: settings.restart,
        reportedExtras: () => options.gcReportedState?.() ?? {},
      });
      await agent.start();
      const a = agent;
      watcher = new DeploymentFileWatcher({
        file: path.resolve(settings.file),
        clock: ctx.clock,
        logger: log,
        debounceMs: settings.debounceMs,
        onText: (text) => a.applyText(text),
        onUnreadable: (description) => a.reject({ code: DeploymentStatusCode.formatError, description }),
      });
      log.info(`Local deployment from ${settings.file}: edged runs it itself; no edgeAgent container is started`);
      // The first apply runs in the background: edged answers on its sockets meanwhile.
      watching = watcher.start().catch((e) => log.error(`Could not watch ${settings.file}: ${String(e)}`));
    },
    async stop() {
      await watching;
      await watcher?.stop();
      await agent?.stop();
    },
    async settled() {
      await watching;
      await watcher?.settled();
    },
  };
}
