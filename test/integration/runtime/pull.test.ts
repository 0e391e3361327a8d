import { startTestEngine, TestEngine } from '../../helpers/engine';
import { startTestRegistry, pushImage, TestRegistry } from '../../helpers/registry';
import { DockerModuleRuntime } from '../../../src/runtime/docker/runtime';
import { createDockerClient } from '../../../src/runtime/docker/client';
import { ModuleSpec } from '../../../src/runtime/types';
import { EdgeError, formatError } from '../../../src/errors';
import { memoryLogger } from '../../../src/util/log';

describe('pulling from a registry with basic auth', () => {
  let engine: TestEngine;
  let registry: TestRegistry;
  let runtime: DockerModuleRuntime;
  let image: string;
  const logger = memoryLogger();

  beforeAll(async () => {
    [engine, registry] = await Promise.all([startTestEngine(), startTestRegistry()]);
    image = `${registry.address}/edge/busybox:1`;
    await pushImage(engine, 'edge-test/busybox:1', image, registry.credentials);
    runtime = new DockerModuleRuntime({ docker: createDockerClient(engine.host), logger });
  });
  afterAll(async () => {
    await Promise.all([engine?.stop(), registry?.stop()]);
  });

  const spec = (name: string, password: string): ModuleSpec => ({
    name,
    type: 'docker',
    config: {
      image,
      createOptions: { Cmd: ['true'] },
      auth: { username: registry.credentials.username, password, serveraddress: registry.address },
    },
    env: {},
    imagePullPolicy: 'on-create',
  });

  it('fails with a clear error naming the image when the password is wrong', async () => {
    const err = (await runtime.create(spec('bad', 'wrong-password')).catch((e: unknown) => e)) as EdgeError;
    expect(err).toBeInstanceOf(EdgeError);
    expect(err.message).toContain(`Could not pull image ${image}`);
    expect(err.hint).toMatch(/credentials/);
    // The password never shows up in what a user or the log sees.
    expect(formatError(err)).not.toContain('wrong-password');
    expect(logger.lines.join('\n')).not.toContain('wrong-password');
    await expect(engine.docker.getImage(image).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(engine.docker.getContainer('bad').inspect()).rejects.toMatchObject({ statusCode: 404 });
  });

  it('pulls with the right credentials on create', async () => {
    await runtime.create(spec('good', registry.credentials.password));
    const m = await runtime.get('good');
    expect(m.config.image).toBe(image);
    expect((await engine.docker.getImage(image).inspect()).Id).toBe(m.state.imageId);
    await runtime.remove('good');
  });
});
