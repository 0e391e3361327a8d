/**
 * Runs a plan. The handler table is a mapped type over the step kinds, so adding a step kind
 * without teaching the executor how to run it does not compile.
 */
import type { Logger } from '../util/log';
import type { Step, StepKind, StepOf } from './planner/steps';

export type StepHandlers = { [K in StepKind]: (step: StepOf<K>) => Promise<void> };

export interface StepFailure {
  step: Step;
  error: unknown;
}

/**
 * Phases in ascending order; inside a phase, modules concurrently and each module's steps in
 * order. A failed step skips the rest of its module's steps (a failed create is not started) but
 * not other modules: one bad module does not hold a deployment hostage.
 */
export async function execute(steps: readonly Step[], handlers: StepHandlers, log: Logger): Promise<StepFailure[]> {
  const failures: StepFailure[] = [];
  const phases = [...new Set(steps.map((s) => s.phase))].sort((a, b) => a - b);
  for (const phase of phases) {
    const byModule = new Map<string, Step[]>();
    for (const s of steps) {
      if (s.phase !== phase) continue;
      const list = byModule.get(s.name) ?? [];
      list.push(s);
      byModule.set(s.name, list);
    }
    await Promise.all(
      [...byModule.values()].map(async (moduleSteps) => {
        for (const step of moduleSteps) {
          try {
            await runStep(step, handlers);
          } catch (error) {
            log.error(`Could not ${step.kind} module ${step.name}: ${error instanceof Error ? error.message : String(error)}`);
            failures.push({ step, error });
            return;
          }
        }
      }),
    );
  }
  return failures;
}

function runStep<K extends StepKind>(step: StepOf<K>, handlers: StepHandlers): Promise<void> {
  return (handlers[step.kind] as (s: StepOf<K>) => Promise<void>)(step);
}
