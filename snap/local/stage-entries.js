#!/usr/bin/env node
'use strict';
// The `stage:` entries of snap/snapcraft.yaml's parts, one per line as `PART<TAB>ENTRY` (an entry
// starting with '-' excludes). snap/local/build.sh stages the engine part from them and the
// stage-coverage test checks the snap-local tree against them, so both read the same list.
// Usage: stage-entries.js SNAPCRAFT_YAML [PART]
const fs = require('node:fs');
const yaml = require('js-yaml');

const [file, only] = process.argv.slice(2);
const parts = yaml.load(fs.readFileSync(file, 'utf8')).parts || {};
if (only && !parts[only]) {
  process.stderr.write(`stage-entries: no part ${only} in ${file}\n`);
  process.exit(2);
}
for (const [name, part] of Object.entries(parts)) {
  if (only && name !== only) continue;
  for (const entry of part.stage || []) process.stdout.write(`${name}\t${entry}\n`);
}
