#!/usr/bin/env node
// Drops the per-device image service's packages (package.json's `imageServiceOnly`) from the
// dependencies of the package.json in the current directory, so that the `npm prune` that
// follows leaves them out of the snap: the service runs on an operator's machine, not on a device.
// A name that is not a dependency fails, so the list cannot go stale silently.
'use strict';
const fs = require('node:fs');

const file = 'package.json';
const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
for (const name of manifest.imageServiceOnly ?? []) {
  if (!(name in manifest.dependencies)) {
    console.error(`omit-image-service: ${name} is in imageServiceOnly but not in dependencies: fix package.json`);
    process.exit(1);
  }
  delete manifest.dependencies[name];
}
delete manifest.imageServiceOnly;
fs.writeFileSync(file, JSON.stringify(manifest, null, 2) + '\n');
