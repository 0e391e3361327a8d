/**
 * registryCredentials are used for pulls, matched by the registry host of each image: against
 * Debian's docker-registry on loopback with basic auth (imagePullPolicy on-create).
 */
import { startTestEngine, TestEngine } from '../../helpers/engine';
import { pushImage, startTestRegistry, TestRegistry } from '../../helpers/registry';
import { systemClock } from '../../../src/util/clock';
import { Harness, removeAll, startAgent } from './harness';

let engine: TestEngine;
let registry: TestRegistry;
let h: Harness | undefined;
let image: string;

beforeAll(async () => {
  [engine, registry] = await Promise.all([startTestEngine(), startTestRegistry()]);
  image = `${registry.address}/edge/sensor:1`;
  await pushImage(engine, 'edge-test/busybox:1', image, registry.credentials);
});
afterAll(async () => {
  await h?.agent.stop();
  await removeAll(engine);
  await Promise.all([engine?.stop(), registry?.stop()]);
});

function manifest(password: string, address: string): string {
  return JSON.stringify({
    modulesContent: {
      $edgeAgent: {
        'properties.desired': {
          schemaVersion: '1.1',
          runtime: { type: 'docker', settings: { registryCredentials: { local: { address, username: registry.credentials.username, password } } } },
          modules: {
            sensor: { type: 'docker', imagePullPolicy: 'on-create', settings: { image, createOptions: '{"Cmd":["sleep","3600"]}' } },
          },
        },
      },
    },
  });
}

it('a wrong password fails the pull: reported on the module, never logged', async () => {
  h = await startAgent(engine, systemClock);
  const status = await h.agent.applyText(manifest('wrong-password-1', registry.address));
  expect(status.code).toBe(500);
  expect(status.description).toMatch(/module sensor: create failed/);
  expect(h.log.lines.join('\n')).not.toContain('wrong-password-1');
  expect((await h.agent.reportedState()).modules.sensor.runtimeStatus).toBe('failed');
  await h.agent.stop();
  h = undefined;
});

it('the credential whose address is the image registry host is used (address written as a URL)', async () => {
  h = await startAgent(engine, systemClock);
  const status = await h.agent.applyText(manifest(registry.credentials.password, `http://${registry.address}/v2/`));
  expect(status).toEqual({ code: 200, description: '' });
  expect((await engine.docker.getContainer('sensor').inspect()).State.Running).toBe(true);
  expect(h.log.lines.join('\n')).not.toContain(registry.credentials.password);
  const file = JSON.stringify(await h.agent.reportedState());
  expect(file).not.toContain(registry.credentials.password);
});
