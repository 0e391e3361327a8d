/**
 * A module with a 128-character name (IoT Hub's longest module id) under a home as long as the
 * snap's, on a real engine with the real identity component: it is created and started, its
 * socket directory is a short derived one, and from inside it still reaches
 * /var/run/iotedge/workload.sock, which signs for it.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeyStore, deriveModuleKeys } from '../../../src/identity/keys';
import type { ModuleSpec } from '../../../src/runtime/types';
import { startTestEngine, type TestEngine } from '../../helpers/engine';
import { fromInside, NODE_BINDS } from '../../helpers/socket-request';
import { AGENT_IMAGE, Harness, startHarness } from '../edge-agent/harness';

const SNAP_HOME = '/var/snap/azure-iot-edge/common/var/lib/aziot/edged';
const WORKLOAD = '/var/run/iotedge/workload.sock';
const NAME = `SimulatedTemperatureSensor${'x'.repeat(128 - 'SimulatedTemperatureSensor'.length)}`;

let engine: TestEngine;
let h: Harness;
let parent: string;

beforeAll(async () => {
  parent = mkdtempSync(path.join(os.tmpdir(), 'long-names-'));
  const home = path.join(parent, 'h'.repeat(SNAP_HOME.length - parent.length - 1));
  expect(home.length).toBe(SNAP_HOME.length);
  engine = await startTestEngine({ images: ['edge-test/busybox:1', AGENT_IMAGE] });
  h = await startHarness(engine, { home });
}, 120_000);

afterAll(async () => {
  await h?.stop();
  for (const c of (await engine?.docker.listContainers({ all: true })) ?? []) await engine.docker.getContainer(c.Id).remove({ force: true });
  await engine?.stop();
  rmSync(parent, { recursive: true, force: true });
});

it('creates and runs a module with a 128-character name, which reaches its workload socket from inside', async () => {
  expect(NAME).toHaveLength(128);
  const { generationId } = await h.component.identities()!.create(NAME);
  const spec: ModuleSpec = {
    name: NAME,
    type: 'docker',
    imagePullPolicy: 'never',
    env: {},
    config: {
      image: 'edge-test/busybox:1',
      createOptions: { Cmd: ['sh', '-c', 'trap "exit 0" TERM; sleep 3600 & wait'], HostConfig: { Binds: [...NODE_BINDS, `${h.home}/mnt/${NAME}.sock:${WORKLOAD}`] } },
    },
  };
  await h.component.runtime.create(spec);
  await h.component.runtime.start(NAME);

  const info = await engine.docker.getContainer(NAME).inspect();
  const bind = info.HostConfig.Binds?.find((b) => b.endsWith(':/var/run/iotedge:ro'));
  expect(bind).toMatch(new RegExp(`^${h.home}/mnt/_[0-9a-f]{16}:/var/run/iotedge:ro$`));
  expect(Buffer.byteLength(`${bind!.split(':')[0]}/workload.sock`)).toBeLessThanOrEqual(107);

  const key = deriveModuleKeys((await KeyStore.under(h.home).read('master-identity'))!, NAME, generationId).primary;
  const body = JSON.stringify({ keyId: 'primary', algo: 'HMACSHA256', data: Buffer.from('hi').toString('base64') });
  expect(await fromInside(engine.host, NAME, WORKLOAD, 'POST', `/modules/${NAME}/genid/${generationId}/sign?api-version=2019-01-30`, body)).toEqual({
    status: 200,
    body: JSON.stringify({ digest: createHmac('sha256', key).update('hi').digest('base64') }),
  });

  await h.component.runtime.remove(NAME);
  expect(h.logs.filter((l) => /ENOENT|chmod/.test(l))).toEqual([]);
}, 60_000);
