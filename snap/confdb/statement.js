#!/usr/bin/env node
'use strict';
// The confdb schema (azure-iot-edge.yaml) as the JSON statement `snap sign` takes.
// Usage: statement.js [--account ID] [--snapd 2.68|2.69] [--timestamp RFC3339] > schema.json
//   --account    the publisher's store account id (replaces the aziot-publisher placeholder)
//   --snapd 2.68 the older assertion type `confdb`, without `visibility` (2.68 does not know it)
const fs = require('node:fs');
const path = require('node:path');
const yaml = require('js-yaml');

const PLACEHOLDER = 'aziot-publisher';

function statement({ account = PLACEHOLDER, snapd = '2.69', timestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z') } = {}) {
  const src = yaml.load(fs.readFileSync(path.join(__dirname, 'azure-iot-edge.yaml'), 'utf8'));
  const { storage, ...headers } = src;
  let body = { storage };
  if (snapd === '2.68') body = JSON.parse(JSON.stringify(body, (k, v) => (k === 'visibility' ? undefined : v)));
  else if (snapd !== '2.69') throw new Error(`--snapd ${snapd}: use 2.68 or 2.69`);
  return {
    ...headers,
    type: snapd === '2.68' ? 'confdb' : 'confdb-schema',
    'authority-id': account,
    'account-id': account,
    timestamp,
    body: JSON.stringify(body, null, 2),
  };
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = {};
  for (let i = 0; i < args.length; i += 2) {
    const k = args[i].replace(/^--/, '');
    if (!['account', 'snapd', 'timestamp'].includes(k) || args[i + 1] === undefined) {
      process.stderr.write(`statement.js: unknown or incomplete option ${args[i]}\n`);
      process.exit(2);
    }
    opt[k] = args[i + 1];
  }
  process.stdout.write(JSON.stringify(statement(opt), null, 2) + '\n');
}
module.exports = { statement, PLACEHOLDER };
