#!/usr/bin/env node
'use strict';
// meta/snap.yaml derived from snap/snapcraft.yaml: the runtime keys (apps, hooks, plugs,
// environment) are taken as they are, the build-only keys (parts, platforms) are dropped.
// Usage: derive-snap-yaml.js SNAPCRAFT_YAML ARCH > meta/snap.yaml
const fs = require('node:fs');
const yaml = require('js-yaml');

const [file, arch] = process.argv.slice(2);
const src = yaml.load(fs.readFileSync(file, 'utf8'));
const KEEP = ['name', 'title', 'version', 'summary', 'description', 'license', 'base', 'grade', 'confinement', 'environment', 'plugs', 'slots'];
const out = {};
for (const k of KEEP) if (src[k] !== undefined) out[k] = src[k];
out.architectures = [arch];
out.apps = {};
for (const [name, app] of Object.entries(src.apps || {})) {
  const { 'command-chain': chain, extensions, ...rest } = app;
  if (extensions) throw new Error(`app ${name}: extensions need snapcraft`);
  out.apps[name] = chain ? { ...rest, 'command-chain': chain } : rest;
}
out.hooks = {};
for (const [name, hook] of Object.entries(src.hooks || {})) out.hooks[name] = hook && Object.keys(hook).length ? hook : {};
process.stdout.write(yaml.dump(out, { lineWidth: 120, noRefs: true }));
