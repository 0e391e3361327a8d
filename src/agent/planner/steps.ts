/**
 * What the executor can do, as a discriminated union. Every step names its module and its phase:
 * phases run in ascending order (removals first, then startupOrder), steps of one phase run
 * concurrently per module, and the steps of one module run in the order planned.
 */
import type { DesiredModule } from '../types';

interface Base {
  name: string;
  phase: number;
}

export type Step =
  | (Base & { kind: 'create'; module: DesiredModule })
  | (Base & { kind: 'recreate'; module: DesiredModule; changed: string[] })
  | (Base & { kind: 'remove'; reason: string })
  | (Base & { kind: 'start' })
  | (Base & { kind: 'stop' })
  /** Restart after the cool-off: `restartCount` is the count before this restart. */
  | (Base & { kind: 'restart'; restartCount: number; unhealthy: boolean })
  | (Base & { kind: 'schedule-restart'; at: number; restartCount: number })
  | (Base & { kind: 'give-up'; restartCount: number })
  | (Base & { kind: 'reset-restarts' })
  /** Wake up at `at` to re-evaluate (e.g. reset the restart count after the intensive-care time). */
  | (Base & { kind: 'schedule-check'; at: number });

export type StepKind = Step['kind'];
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

/** Removals and stops of modules that leave the deployment happen before anything starts. */
export const CLEANUP_PHASE = -1;
