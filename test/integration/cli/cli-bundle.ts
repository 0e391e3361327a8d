/**
 * Builds the CLI as one file the way `make cli-bundle` does (keep the two in step): dockerode and
 * the packages with native or optional parts stay external, loaded from node_modules only by the
 * commands that need them.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');

export const CLI_BUNDLE_EXTERNALS = ['dockerode', 'ssh2', 'cpu-features', 'node-forge', 'chokidar', 'fsevents'];

/** `entry` is main.ts (the whole CLI) or fast-main.ts (the small start-up bundle). */
export function bundleCli(outfile: string, root = ROOT, entry = 'src/cli/main.ts'): void {
  const args = [
    entry,
    '--bundle',
    '--minify',
    '--platform=node',
    '--target=node20',
    ...CLI_BUNDLE_EXTERNALS.map((e) => `--external:${e}`),
    `--outfile=${outfile}`,
    '--log-level=error',
  ];
  execFileSync(path.join(root, 'node_modules/.bin/esbuild'), args, { cwd: root, stdio: 'inherit' });
}
