/**
 * The services brought to what snapd's answers call for (planServices), read fresh each round.
 * A round whose snapctl fails is followed by another with fresh facts: from a service (the
 * provisioning import at boot) snapd may answer late, the call times out while its change goes
 * on, and the next round finds the service started. What is still wrong after the last round is
 * a ServicesError: the files are written by then, only the services lag.
 */
import { formatError } from '../errors';
import { executeSteps } from './execute';
import { gatherFacts, type FactsInput } from './facts';
import { type Changes, planServices } from './plan';
import { ServicesError } from './errors';
import { SnapctlError } from './snapctl';
import type { HookDeps } from './hooks/deps';

export const SERVICE_ROUNDS = 3;

export async function convergeServices(
  d: HookDeps,
  input: Pick<FactsInput, 'hasWork' | 'override'> & { changes?: Changes },
  rounds = SERVICE_ROUNDS,
): Promise<void> {
  for (let round = 1; ; round++) {
    try {
      const facts = await gatherFacts({ snapctl: d.snapctl, snapName: d.snapName, ...input });
      // A restart asked for again is harmless (the modules keep running); one lost is not.
      await executeSteps(planServices(facts, input.changes), { snapctl: d.snapctl, snapName: d.snapName, logger: d.logger });
      return;
    } catch (e) {
      if (!(e instanceof SnapctlError)) throw e;
      if (round >= rounds) throw new ServicesError(`the services are not as they should be after ${rounds} tries: ${formatError(e).split('\n')[0]}`, { cause: e });
      d.logger.warn(`${formatError(e).split('\n')[0]}: reading snapd's state again (try ${round + 1} of ${rounds})`);
    }
  }
}
