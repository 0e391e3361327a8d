/** How each planned step touches the engine and the agent's memory: one handler per step kind. */
import type { ModuleRuntime } from '../runtime/types';
import type { Clock } from '../util/clock';
import type { Logger } from '../util/log';
import type { StepHandlers } from './executor';
import type { ModuleMemory } from './memory';
import type { WakeScheduler } from './scheduler';
import { moduleSpecOf } from './spec';
import type { RestartSettings } from './types';

export interface RestartMeasurement {
  name: string;
  scheduledAt?: number;
  issuedAt: number;
  startedAt: number;
}

export interface StepHandlerDeps {
  runtime: ModuleRuntime;
  clock: Clock;
  log: Logger;
  settings: RestartSettings;
  memory: ModuleMemory;
  scheduler: WakeScheduler;
  onRestarted?: (restart: RestartMeasurement) => void;
}

export function stepHandlers(d: StepHandlerDeps): StepHandlers {
  const { runtime, clock, log, settings, memory, scheduler } = d;
  return {
    create: async (s) => {
      log.info(`Creating module ${s.name} (${s.module.image})`);
      memory.fresh(s.name);
      await runtime.create(moduleSpecOf(s.module));
      memory.errors.delete(s.name);
    },
    recreate: async (s) => {
      log.info(`Recreating module ${s.name}: ${s.changed.join(', ')} changed`);
      scheduler.cancel(s.name);
      await runtime.remove(s.name);
      memory.fresh(s.name);
      await runtime.create(moduleSpecOf(s.module));
      memory.errors.delete(s.name);
    },
    remove: async (s) => {
      log.info(`Removing module ${s.name}: ${s.reason}`);
      scheduler.cancel(s.name);
      await runtime.remove(s.name);
      memory.forget(s.name);
    },
    start: async (s) => {
      await runtime.start(s.name);
      memory.started(s.name, clock.now());
    },
    stop: async (s) => {
      scheduler.cancel(s.name);
      memory.backoff.delete(s.name);
      await runtime.stop(s.name);
    },
    restart: async (s) => {
      const scheduledAt = memory.backoff.get(s.name)?.at;
      const h = memory.healthOf(s.name);
      h.restartCount = s.restartCount + 1;
      h.lastRestartTime = clock.now();
      h.gaveUp = false;
      log.info(`Restarting module ${s.name} (restart ${h.restartCount} of ${settings.maxRestartCount})`);
      const issuedAt = clock.now();
      if (s.unhealthy) await runtime.restart(s.name);
      else await runtime.start(s.name);
      memory.started(s.name, clock.now());
      d.onRestarted?.({ name: s.name, scheduledAt, issuedAt, startedAt: clock.now() });
    },
    'schedule-restart': async (s) => {
      // The count the policy used (it resets after the intensive-care time).
      memory.healthOf(s.name).restartCount = s.restartCount;
      if (memory.backoff.get(s.name)?.at !== s.at) {
        const seconds = Math.round((s.at - clock.now()) / 1000);
        log.info(`Module ${s.name} stopped; restarting it in ${seconds} s (restart ${s.restartCount + 1} of ${settings.maxRestartCount})`);
      }
      memory.backoff.set(s.name, { at: s.at, restartCount: s.restartCount });
      scheduler.schedule(s.name, s.at);
    },
    'give-up': async (s) => {
      const h = memory.healthOf(s.name);
      h.gaveUp = true;
      h.restartCount = s.restartCount;
      memory.backoff.delete(s.name);
      log.warn(`Module ${s.name} failed after ${s.restartCount} restarts; not restarting it again`);
    },
    'reset-restarts': async (s) => {
      const h = memory.healthOf(s.name);
      log.info(`Module ${s.name} has run for ${Math.round(settings.intensiveCareMs / 1000)} s; its restart count is reset`);
      h.restartCount = 0;
      h.gaveUp = false;
    },
    'schedule-check': async (s) => {
      scheduler.schedule(s.name, s.at);
    },
  };
}
