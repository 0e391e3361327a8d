/**
 * The local-deployment component as edged runs it: the manifest file is watched (chokidar), an
 * editor's atomic save or a burst of writes becomes one apply, a broken or missing file is
 * reported while the running modules stay, and the context slots are filled.
 */
import { mkdtempSync, promises as fs, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestEngine, TestEngine } from '../../helpers/engine';
import { createLocalDeploymentComponent, LocalDeploymentComponent } from '../../../src/edged/local-deployment-component';
import type { EdgedContext } from '../../../src/edged/context';
import { DockerModuleRuntime } from '../../../src/runtime/docker/runtime';
import { systemClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { Mutex } from '../../../src/util/mutex';
import { deployment, removeAll, until } from './harness';

let engine: TestEngine;
let component: LocalDeploymentComponent;
let ctx: EdgedContext;
let log: ReturnType<typeof memoryLogger>;
let file: string;
const abort = new AbortController();

beforeAll(async () => {
  engine = await startTestEngine();
  const home = mkdtempSync(path.join(os.tmpdir(), 'edge-agent-home-'));
  file = path.join(home, 'deployment.json');
  await fs.writeFile(file, deployment({ first: {} }));
  log = memoryLogger();
  ctx = {
    config: { local_deployment: { file, debounce_ms: 100 } },
    home,
    logger: log,
    clock: systemClock,
    docker: engine.docker,
    engine: new DockerModuleRuntime({ docker: engine.docker, logger: log.child('runtime'), network: 'edge-agent-test' }),
    deploymentLock: new Mutex(),
    signal: abort.signal,
  } as unknown as EdgedContext;
  component = createLocalDeploymentComponent(ctx, ctx.engine)!;
  await component.start();
  await component.settled();
});
afterAll(async () => {
  await component?.stop();
  await removeAll(engine);
  await engine.stop();
});

const running = async (name: string) => (await engine.docker.getContainer(name).inspect()).State.Running;
const applies = () => log.lines.filter((l) => /Applying deployment/.test(l)).length;

it('applies the file at start and answers what the API and the collector ask', async () => {
  expect(await running('first')).toBe(true);
  const state = (await component.reportedState()) as { modules: Record<string, { runtimeStatus: string }> };
  expect(state.modules.first.runtimeStatus).toBe('running');
  expect(component.desiredImages()).toEqual(['edge-test/busybox:1', 'mcr.microsoft.com/azureiotedge-agent:1.5']);
  expect(component.moduleStatus('first')).toBeUndefined();
  await component.agent!.flushReportedState();
  expect(statSync(path.join(ctx.home, 'reported-state.json')).mode & 0o777).toBe(0o600);
});

it('applies an atomic save (write elsewhere, rename over) without a restart', async () => {
  const tmp = `${file}.swp`;
  await fs.writeFile(tmp, deployment({ first: {}, second: {} }, 'local', 2));
  await fs.rename(tmp, file);
  await until(async () => (await running('second').catch(() => false)) === true, 'the second module');
  expect(await running('first')).toBe(true);
});

it('turns a burst of writes into one apply', async () => {
  const before = applies();
  for (let v = 3; v <= 6; v++) await fs.writeFile(file, deployment({ first: {}, second: {}, third: {} }, 'local', v));
  await until(async () => (await running('third').catch(() => false)) === true, 'the third module');
  await component.settled();
  expect(applies() - before).toBe(1);
});

it('a broken file is reported, a missing one too; the running modules stay', async () => {
  await fs.writeFile(file, '{"version": 7, "deploymentConfig": {"schemaVersion": "1.1", "modules": {"x": ');
  await until(async () => ((await component.reportedState()) as { lastDesiredStatus: { code: number } }).lastDesiredStatus.code === 400, 'the rejection');
  await fs.rm(file);
  await until(
    async () => /cannot read the deployment file/.test(((await component.reportedState()) as { lastDesiredStatus: { description: string } }).lastDesiredStatus.description),
    'the missing file reported',
  );
  for (const n of ['first', 'second', 'third']) expect(await running(n)).toBe(true);
  await fs.writeFile(file, deployment({ first: {} }, 'local', 8));
  await until(async () => (await engine.docker.listContainers()).length === 1, 'back to one module');
});
