#!/usr/bin/env node
// Runs every bench/*.bench.ts (bundled on the fly with esbuild) one after another, or the ones
// named on the command line, and prints each one's report. Benchmarks report ratios against a
// baseline measured in the same run: absolute times on a shared machine mean little.
'use strict';
const { buildSync } = require('esbuild');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, '.tmp', 'bench');
const wanted = process.argv.slice(2);
const files = fs
  .readdirSync(__dirname)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(' ') || '*'}; see bench/*.bench.ts`);
  process.exit(2);
}
let failed = 0;
for (const f of files) {
  const outfile = path.join(outDir, f.replace(/\.ts$/, '.js'));
  buildSync({
    entryPoints: [path.join(__dirname, f)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile,
    external: ['dockerode', 'ssh2', 'cpu-features', 'node-forge', 'chokidar', 'fsevents'],
    logLevel: 'error',
  });
  console.log(`\n=== ${f}`);
  const r = spawnSync(process.execPath, [outfile], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
