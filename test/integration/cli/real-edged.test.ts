/**
 * The CLI against the real thing: edged (in-process, as bin/edged runs it) on a private real
 * dockerd, modules created through the management API, then list/logs/restart as a user runs them.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { ManagementClient } from '../../../src/api/management/client/management-client';
import { execute } from '../../../src/cli/main';
import { captureCli } from '../../helpers/cli';
import { startEdged, until, type EdgedUnderTest } from '../../helpers/edged';
import { bundleCli } from './cli-bundle';

const IMAGE = 'edge-test/busybox:1';

let edged: EdgedUnderTest;
let host: string;
let client: ManagementClient;

const cli = (argv: string[]) => captureCli(['-H', host, ...argv]);

beforeAll(async () => {
  edged = await startEdged({ prefix: 'cli-edged-', network: 'azure-iot-edge' });
  host = edged.host;
  client = new ManagementClient(host);
  const create = (name: string, script: string) =>
    client.create({ name, type: 'docker', config: { image: IMAGE, createOptions: { Cmd: ['sh', '-c', script] } }, env: {}, imagePullPolicy: 'never' });
  await create('sensor', "trap 'exit 0' TERM; echo 'reading 1'; echo 'sensor warming up' >&2; echo 'reading 2'; while :; do sleep 1; done");
  await create('crashy', 'echo dying >&2; exit 3');
  await create('idle', 'sleep 1');
  await create('ticker', "trap 'exit 0' TERM; i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.2; done");
  await client.start('sensor');
  await client.start('crashy');
  await client.start('ticker');
  await until('crashy to fail', async () => ((await client.get('crashy')).state.status === 'failed' ? true : undefined));
}, 60_000);

afterAll(async () => {
  await edged?.stop();
});

test('iotedge list: upstream table with the real statuses', async () => {
  const r = await cli(['list']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const lines = r.stdout.split('\n');
  expect(lines[0]).toMatch(/^NAME {13}STATUS {11}DESCRIPTION +Config$/);
  expect(lines.slice(1, 5).map((l) => l.split(/\s{2,}/))).toEqual([
    ['crashy', 'failed', expect.stringMatching(/^Failed \(3\) \d+ seconds? ago$/), IMAGE],
    ['idle', 'stopped', 'Stopped', IMAGE],
    ['sensor', 'running', expect.stringMatching(/^Up \d+ seconds?$/), IMAGE],
    ['ticker', 'running', expect.stringMatching(/^Up \d+ seconds?$/), IMAGE],
  ]);
  expect(lines[5]).toBe('');
  // Columns are aligned: every row's Config starts where the header's does.
  const at = lines[0].indexOf('Config');
  for (const l of lines.slice(1, 5)) expect(l.indexOf(IMAGE)).toBe(at);
});

test('iotedge logs: the module stdout on stdout, its stderr on stderr', async () => {
  await until('the sensor to log', async () => ((await cli(['logs', 'sensor'])).stdout.includes('reading 2') ? true : undefined));
  const r = await cli(['logs', 'sensor']);
  expect(r).toEqual({ code: 0, stdout: 'reading 1\nreading 2\n', stderr: 'sensor warming up\n' });
  // Docker copies stdout and stderr separately, so which of the two comes last is not fixed.
  const tail = await cli(['logs', 'sensor', '--tail', '1']);
  expect([tail.stdout, tail.stderr].sort()).toEqual(['', expect.stringMatching(/^(reading 2|sensor warming up)\n$/)]);
  const stamped = await cli(['logs', 'crashy', '--timestamps']);
  expect(stamped.stderr).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z dying\n$/);
  expect((await cli(['logs', 'sensor', '--until', '2000-01-01T00:00:00Z'])).stdout).toBe('');
});

test('iotedge logs -f: new lines stream until Ctrl-C, which ends it with exit 0', async () => {
  const out = new PassThrough();
  const controller = new AbortController();
  let seen = '';
  const sawTwo = new Promise<void>((resolve) =>
    out.on('data', (c: Buffer) => {
      seen += c.toString();
      if ((seen.match(/^tick \d+$/gm) ?? []).length >= 2) resolve();
    }),
  );
  const code = execute(['-H', host, 'logs', 'ticker', '-f', '--tail', '1'], {
    env: {},
    stdout: out,
    stderr: new PassThrough(),
    signal: controller.signal,
  });
  await sawTwo; // --tail 1 gives one line: the second arrived while following
  controller.abort();
  expect(await code).toBe(0);
});

test('iotedge restart: prints the name and the module starts again', async () => {
  const before = (await client.get('sensor')).state.startedAt!.getTime();
  const r = await cli(['restart', 'sensor']);
  expect(r).toEqual({ code: 0, stdout: 'sensor\n', stderr: '' });
  const after = await client.get('sensor');
  expect(after.state.status).toBe('running');
  expect(after.state.startedAt!.getTime()).toBeGreaterThan(before);
});

test('unknown module: one line naming it, exit 3', async () => {
  for (const argv of [['restart', 'nope'], ['logs', 'nope']]) {
    expect(await cli(argv)).toEqual({ code: 3, stdout: '', stderr: "module 'nope' not found. Run `iotedge list` to see the modules\n" });
  }
});

test('as a process, from the bundled CLI', async () => {
  const bundle = path.join(edged.dir, 'iotedge.js');
  bundleCli(bundle);
  const entry = path.join(edged.dir, 'iotedge');
  writeFileSync(entry, `require(${JSON.stringify(bundle)}).run(process.argv.slice(2));\n`);
  // Asynchronously: edged answers from this very process.
  const child = spawn(process.execPath, [entry, 'list'], { env: { ...process.env, IOTEDGE_HOST: host } });
  const r = { stdout: '', stderr: '', status: null as number | null };
  child.stdout.on('data', (c: Buffer) => (r.stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (r.stderr += c.toString()));
  r.status = await new Promise((resolve) => child.on('close', resolve));
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  expect(r.stdout.split('\n').slice(1, 5).map((l) => l.split(/\s+/)[0])).toEqual(['crashy', 'idle', 'sensor', 'ticker']);
});
