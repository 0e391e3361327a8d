/**
 * The configure hook (`snap set`): gather (the options, the files, what they point at) → plan
 * (configure-plan.ts, pure: every check, every rendered file, the writes) → execute the writes,
 * then start or restart what can now run (converge.ts). Any error before the writes leaves the
 * previous files byte-identical, and snapd rolls the option back; one after them, in the services,
 * is a ServicesError.
 */
import { readApplied, readOrKeep, writeApplied } from '../applied';
import { type ConfigureFacts, planConfigure } from '../configure-plan';
import { convergeServices } from '../converge';
import { executeSteps } from '../execute';
import { overlayOptions, parseOptions, topLevelKeys } from '../options';
import type { HookDeps } from './deps';
import { makeDirs, readIfExists } from './state';

export const CS_FILE_MAX = 4096;
export const DEPLOYMENT_MAX = 1024 * 1024;

/** A confdb write (src/snap/confdb) goes through here too, so a view and `snap set` cannot disagree. */
export interface ConfigureInput {
  /** Option values laid over snapd's, by option key (undefined: unset). */
  overlay?: ReadonlyMap<string, unknown>;
  /** Validate everything, then stop: nothing written, no service touched. */
  dryRun?: boolean;
}

export async function configure(d: HookDeps, input: ConfigureInput = {}): Promise<void> {
  const read = await gatherConfigureFacts(d, input);
  const plan = planConfigure(read);
  for (const note of plan.notes) d.logger.info(note);
  if (input.dryRun) return;
  await makeDirs(d.paths);
  await executeSteps(plan.steps, { snapctl: d.snapctl, snapName: d.snapName, logger: d.logger });
  if (JSON.stringify(plan.applied) !== JSON.stringify(read.applied)) await writeApplied(d.paths.appliedFile, plan.applied);
  await convergeServices(d, { hasWork: plan.hasWork, changes: plan.changes });
}

/** Everything the plan needs, read: the options (snapd's, with a confdb write laid over), the files now, and the files options point at. */
async function gatherConfigureFacts(d: HookDeps, input: ConfigureInput): Promise<ConfigureFacts> {
  const doc = await d.snapctl.getAll(topLevelKeys());
  const options = parseOptions(input.overlay ? overlayOptions(doc, input.overlay) : doc);
  const applied = await readApplied(d.paths.appliedFile);
  return {
    options,
    current: {
      config: await readIfExists(d.paths.configFile),
      daemonJson: await readIfExists(d.paths.daemonJson),
      deployment: await readIfExists(d.paths.deploymentCopy),
      logLevel: await readIfExists(d.paths.logLevelFile),
    },
    applied,
    csFile: options.csFile && !options.connectionString ? await readOrKeep('cs-file', options.csFile, CS_FILE_MAX, applied) : undefined,
    deploymentFile: options.deploymentFile ? await readOrKeep('deployment-file', options.deploymentFile, DEPLOYMENT_MAX, applied) : undefined,
    paths: d.paths,
    hostname: d.hostname,
  };
}
