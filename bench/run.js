#!/usr/bin/env node
// Runs every bench/*.bench.ts (bundled on the fly with esbuild) one after another, or the ones
// named on the command line, prints each one's report, then every goal with its verdict in one
// table. Benchmarks report ratios against a baseline measured in the same run: absolute times on
// a shared machine mean little. BENCH_QUICK=1 (make bench-quick): small sizes, few rounds.
// `node bench/run.js soak` (make soak) runs bench/soak.ts, `node bench/run.js soak-snap` (make
// soak-snap) bench/soak-snap.ts: named exactly, never part of a plain run.
'use strict';
const { buildSync } = require('esbuild');
const { spawn } = require('node:child_process');
const readline = require('node:readline');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, '.tmp', 'bench');
const wanted = process.argv.slice(2);
const files = fs
  .readdirSync(__dirname)
  .filter((f) => (f.endsWith('.bench.ts') && (wanted.length === 0 || wanted.some((w) => f.startsWith(w)))) || (/^soak.*\.ts$/.test(f) && wanted.includes(f.slice(0, -3))))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(' ') || '*'}; see bench/*.bench.ts`);
  process.exit(2);
}
let failed = 0;
const goals = [];

/** Runs one bundled bench, printing its lines as they come and keeping its GOAL lines. */
function runOne(outfile) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [outfile], { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('GOAL\t')) goals.push(line.split('\t').slice(1));
      else console.log(line);
    });
    child.on('close', (code) => resolve(code));
  });
}

async function main() {
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
    const code = await runOne(outfile);
    if (code !== 0) {
      failed++;
      goals.push([`${f} failed (exit ${code})`, 'no figures']);
    }
  }
  console.log('\n=== goals');
  for (const [measure, verdict] of goals) console.log(`  ${measure.padEnd(62)} ${verdict}`);
  process.exit(failed ? 1 : 0);
}

main();
