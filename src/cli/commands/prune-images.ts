/**
 * `iotedge system prune-images [--dry-run]`: runs edged's image garbage collection now, with its
 * usual rules (only images edged pulled, unused for the threshold, never during a deployment),
 * and prints what it removed (or would remove) and the space freed.
 */
import type { Argv } from 'yargs';
import type { CliContext } from '../command';
import { formatPruneReport } from '../../gc/report-text';
import { ManagementClient } from '../../api/management/client/management-client';

interface Args {
  dryRun?: boolean;
}

export function builder(y: Argv): Argv {
  return y
    .option('dry-run', { type: 'boolean', default: false, describe: 'Only list what would be removed' })
    .example('$0 system prune-images --dry-run', 'Show which unused images edged would remove now')
    .example('$0 system prune-images', 'Remove them now');
}

export async function run(args: Args, ctx: CliContext): Promise<void> {
  const report = await new ManagementClient(ctx.host, ctx.signal).pruneImages({ dryRun: args.dryRun === true });
  ctx.stdout.write(formatPruneReport(report));
}
