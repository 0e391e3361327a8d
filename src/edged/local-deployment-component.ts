/**
 * The local-deployment component of edged: with `[local_deployment] file = ...` in config.toml,
 * edged runs that deployment itself (no edgeAgent container, no cloud). It fills the context
 * slots the management API and the image collector read: moduleStatus, reportedState,
 * desiredImages.
 */
import * as path from 'node:path';
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
  readonly agent: Agent | undefined;
}

export function createLocalDeploymentComponent(ctx: EdgedContext): LocalDeploymentComponent | undefined {
  const settings = localDeploymentSettings(ctx.config.local_deployment);
  if (!settings) return undefined;
  const log = ctx.logger.child('agent');
  let agent: Agent | undefined;
  let watcher: DeploymentFileWatcher | undefined;
  let watching: Promise<void> = Promise.resolve();

  ctx.moduleStatus = (name) => agent?.moduleStatus(name);
  ctx.reportedState = async () => (agent ? agent.reportedState() : {});
  ctx.desiredImages = () => agent?.desiredImages() ?? [];

  return {
    name: 'local-deployment',
    get agent() {
      return agent;
    },
    desiredImages: () => agent?.desiredImages() ?? [],
    async start() {
      // ctx.runtime is read now, not at creation: another component may have wrapped it meanwhile.
      agent = new Agent({
        runtime: ctx.runtime,
        clock: ctx.clock,
        logger: log,
        lock: ctx.deploymentLock,
        reportedStateFile: path.join(ctx.home, REPORTED_STATE_FILE),
        outageFile: path.join(ctx.home, ENGINE_OUTAGE_FILE),
        settings: settings.restart,
        reportedExtras: () => ctx.imageGc?.reportedState() ?? {},
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
