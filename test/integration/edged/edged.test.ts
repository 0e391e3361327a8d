/**
 * edged in-process (main.run, as bin/edged calls it) against a private real dockerd: modules
 * created, listed, started, stopped, logged and deleted over the real management socket, the
 * answers checked against upstream's schema, and SIGTERM leaving a running module running.
 */
import { existsSync, statSync } from 'node:fs';
import * as http from 'node:http';
import { startEdged, until, type EdgedUnderTest } from '../../helpers/edged';
import { loadSpec, validateResponse } from '../../contract/helpers/openapi';
import { demuxDockerStream, unixRequest } from '../../contract/helpers/unix-client';

const V = '2022-08-03';
const spec = loadSpec('managementVersion_2022_08_03.yaml');
const SCRIPT = "echo hello; trap 'exit 0' TERM; while true; do echo tick; sleep 1; done";
const moduleSpec = (name: string) => ({
  name,
  type: 'docker',
  imagePullPolicy: 'Never',
  config: { settings: { image: 'edge-test/busybox:1', createOptions: { Cmd: ['sh', '-c', SCRIPT] } }, env: [{ key: 'GREETING', value: 'hi' }] },
});

let edged: EdgedUnderTest;

beforeAll(async () => {
  edged = await startEdged({ prefix: 'edged-it-', network: 'azure-iot-edge', listen: true, args: ['--log-level', 'debug'] });
});

afterAll(async () => {
  await edged?.stop();
});

const call = (method: string, p: string, body?: unknown) =>
  unixRequest(edged.mgmt, method, `${p}${p.includes('?') ? '&' : '?'}api-version=${V}`, body);

const status = async (name: string) => {
  const res = await call('GET', `/modules/${name}`);
  return (res.json as { status: { runtimeStatus: { status: string } } }).status.runtimeStatus.status;
};

it('is ready with a home of 0700, a management socket of 0660 and a workload placeholder', async () => {
  expect(edged.log.some((l) => l.includes('edged ready'))).toBe(true);
  expect(statSync(edged.home).mode & 0o777).toBe(0o700);
  expect(statSync(edged.mgmt).mode & 0o777).toBe(0o660);
  const wl = await unixRequest(edged.workload, 'GET', '/trust-bundle?api-version=2019-01-30');
  expect(wl.status).toBe(501);
});

it('creates, lists, starts, logs, stops and deletes a module on the real engine', async () => {
  const created = await call('POST', '/modules', moduleSpec('sensor'));
  expect(created.status).toBe(201);
  expect(validateResponse(spec, 'POST', '/modules', 201, created.json)).toEqual([]);
  expect(created.json).toMatchObject({ name: 'sensor', type: 'docker', config: { settings: { image: 'edge-test/busybox:1' } } });

  const again = await call('POST', '/modules', moduleSpec('sensor'));
  expect(again.status).toBe(409);
  expect(validateResponse(spec, 'POST', '/modules', 409, again.json)).toEqual([]);

  expect((await call('POST', '/modules/sensor/start')).status).toBe(204);
  await until('sensor running', async () => ((await status('sensor')) === 'running' ? true : undefined));

  const list = await call('GET', '/modules');
  expect(validateResponse(spec, 'GET', '/modules', 200, list.json)).toEqual([]);
  expect((list.json as { modules: { name: string }[] }).modules.map((m) => m.name)).toEqual(['sensor']);

  const text = await until('hello in the logs', async () => {
    const res = await call('GET', '/modules/sensor/logs?tail=all');
    const t = demuxDockerStream(res.body).map((f) => f.text).join('');
    return t.includes('hello') ? t : undefined;
  });
  expect(text.split('\n')[0]).toBe('hello');

  expect((await call('POST', '/modules/sensor/stop')).status).toBe(204);
  const stopped = await call('GET', '/modules/sensor');
  expect(validateResponse(spec, 'GET', '/modules/{name}', 200, stopped.json)).toEqual([]);
  expect(stopped.json).toMatchObject({ status: { runtimeStatus: { status: 'stopped' }, exitStatus: { statusCode: '0' } } });

  expect((await call('DELETE', '/modules/sensor')).status).toBe(204);
  const gone = await call('GET', '/modules/sensor');
  expect(gone.status).toBe(404);
  expect(validateResponse(spec, 'GET', '/modules/{name}', 404, gone.json)).toEqual([]);
});

it('follows logs as a chunked stream until the client goes away', async () => {
  await call('POST', '/modules', moduleSpec('follower'));
  await call('POST', '/modules/follower/start');
  const got = await new Promise<string>((resolve, reject) => {
    const req = http.request({ socketPath: edged.mgmt, path: `/modules/follower/logs?follow=true&tail=0&api-version=${V}` }, (res) => {
      expect(res.headers['transfer-encoding']).toBe('chunked');
      res.on('data', (chunk: Buffer) => {
        const t = demuxDockerStream(chunk).map((f) => f.text).join('');
        if (t.includes('tick')) {
          req.destroy();
          resolve(t);
        }
      });
    });
    req.on('error', (e) => ((e as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(e)));
    req.end();
  });
  expect(got).toContain('tick');
  // The API still answers after the follower left.
  expect((await call('GET', '/modules/follower')).status).toBe(200);
});

it('answers systeminfo and resources from the real engine as the schema says', async () => {
  const info = await call('GET', '/systeminfo');
  expect(validateResponse(spec, 'GET', '/systeminfo', 200, info.json)).toEqual([]);
  const res = await call('GET', '/systeminfo/resources');
  expect(validateResponse(spec, 'GET', '/systeminfo/resources', 200, res.json)).toEqual([]);
});

it('updates a module with PUT ?start=true', async () => {
  await call('POST', '/modules', moduleSpec('updated'));
  const next = moduleSpec('updated');
  next.config.settings.createOptions.Cmd = ['sh', '-c', "echo v2; trap 'exit 0' TERM; while true; do sleep 1; done"];
  const res = await call('PUT', '/modules/updated?start=true', next);
  expect(res.status).toBe(200);
  expect(validateResponse(spec, 'PUT', '/modules/{name}', 200, res.json)).toEqual([]);
  await until('updated running', async () => ((await status('updated')) === 'running' ? true : undefined));
});

it('on SIGTERM removes its sockets, exits 0 and leaves running modules running', async () => {
  await until('follower running', async () => ((await status('follower')) === 'running' ? true : undefined));
  edged.signal('SIGTERM');
  expect(await edged.exit).toBe(0);
  expect(existsSync(edged.mgmt)).toBe(false);
  expect(existsSync(edged.workload)).toBe(false);
  const inspect = await edged.engine.docker.getContainer('follower').inspect();
  expect(inspect.State.Running).toBe(true);
  expect(edged.log.some((l) => l.includes('modules are left running'))).toBe(true);
});
