/**
 * list() serves inspect results from its cache only while they are the truth: containers changed
 * directly through the engine, behind the runtime's back, are listed as they are right after.
 */
import type Docker from 'dockerode';
import { startTestEngine, TestEngine } from '../../helpers/engine';
import { DockerModuleRuntime } from '../../../src/runtime/docker/runtime';
import { createDockerClient } from '../../../src/runtime/docker/client';
import { Module, ModuleSpec } from '../../../src/runtime/types';
import { memoryLogger } from '../../../src/util/log';

const IMAGE = 'edge-test/busybox:1';

function spec(name: string): ModuleSpec {
  return {
    name,
    type: 'docker',
    config: { image: IMAGE, createOptions: { Cmd: ['sleep', '3600'], Env: ['FROM_CREATE=1'], Labels: { team: 'x' } } },
    env: { FROM_SPEC: '1' },
    imagePullPolicy: 'never',
  };
}

/** The real client, with a count of the inspects it makes (nothing else changed). */
function countingClient(host: string): { docker: Docker; inspects: () => number } {
  const docker = createDockerClient(host);
  let count = 0;
  const getContainer = docker.getContainer.bind(docker);
  docker.getContainer = (id: string) => {
    const c = getContainer(id);
    const inspect = c.inspect.bind(c);
    c.inspect = ((...args: unknown[]) => {
      count++;
      return (inspect as (...a: unknown[]) => Promise<unknown>)(...args);
    }) as typeof c.inspect;
    return c;
  };
  return { docker, inspects: () => count };
}

const byName = (ms: Module[], name: string) => ms.find((m) => m.name === name);

describe('DockerModuleRuntime.list() cache on a real engine', () => {
  let engine: TestEngine;
  let runtime: DockerModuleRuntime;
  let inspects: () => number;
  const uncached = () =>
    new DockerModuleRuntime({ docker: createDockerClient(engine.host), network: 'cache-net', logger: memoryLogger() });

  beforeAll(async () => {
    engine = await startTestEngine();
    const client = countingClient(engine.host);
    inspects = client.inspects;
    // No settle time: cache even just-started containers, so every change below meets a cached entry.
    runtime = new DockerModuleRuntime({ docker: client.docker, network: 'cache-net', logger: memoryLogger(), listCacheSettleMs: 0 });
    for (const name of ['alpha', 'beta', 'gamma']) {
      await runtime.create(spec(name));
      await runtime.start(name);
    }
  });
  afterAll(async () => {
    runtime?.close();
    await engine?.stop();
  });

  /** The cached list must equal what a runtime without any cache lists (a fresh one, one inspect each). */
  async function listMatchesTruth(): Promise<Module[]> {
    const [cached, truth] = [await runtime.list(), await uncached().list()];
    expect(cached).toEqual(truth);
    return cached;
  }

  it('lists every field from inspect, then answers a repeated list without inspecting again', async () => {
    const first = await listMatchesTruth();
    expect(first.map((m) => m.name)).toEqual(['alpha', 'beta', 'gamma']);
    const alpha = byName(first, 'alpha')!;
    expect(alpha.env).toMatchObject({ FROM_SPEC: '1', FROM_CREATE: '1' });
    expect(alpha.labels.team).toBe('x');
    expect(alpha.config.createOptions).toEqual({ Labels: alpha.labels });
    expect(alpha.state).toMatchObject({ status: 'running', statusDescription: 'running' });
    expect(alpha.state.imageId).toMatch(/^sha256:/);
    expect(alpha.state.startedAt).toBeInstanceOf(Date);

    // Status strings ("Up 2 seconds") may still tick between two lists: repeat until two agree.
    let before = inspects();
    let again = await runtime.list();
    for (let i = 0; i < 20 && inspects() !== before; i++) {
      before = inspects();
      again = await runtime.list();
    }
    expect(inspects()).toBe(before);
    expect(again).toEqual(first.map((m) => ({ ...m, state: { ...m.state } })).map((m) => byName(again, m.name)));
  });

  it('sees a docker stop and a docker kill made behind its back', async () => {
    await runtime.list();
    engine.cli('stop', '-t', '0', 'alpha');
    engine.cli('kill', 'beta');
    const ms = await listMatchesTruth();
    expect(byName(ms, 'alpha')!.state).toMatchObject({ statusDescription: 'exited' });
    expect(byName(ms, 'alpha')!.state.finishedAt).toBeInstanceOf(Date);
    expect(byName(ms, 'beta')!.state).toMatchObject({ status: 'failed', exitCode: 137, statusDescription: 'exited' });
    expect(byName(ms, 'gamma')!.state.status).toBe('running');
  });

  it('sees a docker start, and a docker restart (same state, new start time)', async () => {
    const before = byName(await runtime.list(), 'gamma')!;
    engine.cli('start', 'alpha');
    engine.cli('restart', '-t', '0', 'gamma');
    const ms = await listMatchesTruth();
    expect(byName(ms, 'alpha')!.state.status).toBe('running');
    expect(byName(ms, 'alpha')!.state.pid).toBeGreaterThan(0);
    const gamma = byName(ms, 'gamma')!;
    expect(gamma.state.status).toBe('running');
    expect(gamma.state.startedAt!.getTime()).toBeGreaterThan(before.state.startedAt!.getTime());
  });

  it('sees a docker pause and unpause', async () => {
    await runtime.list();
    engine.cli('pause', 'alpha');
    expect(byName(await listMatchesTruth(), 'alpha')!.state).toMatchObject({ status: 'stopped', statusDescription: 'paused' });
    engine.cli('unpause', 'alpha');
    expect(byName(await listMatchesTruth(), 'alpha')!.state).toMatchObject({ status: 'running', statusDescription: 'running' });
  });

  it('sees a docker rename and a docker rm -f', async () => {
    await runtime.list();
    engine.cli('rename', 'gamma', 'delta');
    engine.cli('rm', '-f', 'beta');
    const ms = await listMatchesTruth();
    expect(ms.map((m) => m.name)).toEqual(['alpha', 'delta']);
  });

  it('sees changes made through the runtime itself', async () => {
    await runtime.list();
    await runtime.stop('alpha', 0);
    await runtime.remove('delta');
    const ms = await listMatchesTruth();
    expect(ms.map((m) => m.name)).toEqual(['alpha']);
    expect(ms[0].state.statusDescription).toBe('exited');
  });

  it('inspects every module again once the event watch is closed (no events, no cache)', async () => {
    await runtime.list();
    runtime.close();
    const before = inspects();
    const ms = await listMatchesTruth();
    await runtime.list();
    expect(inspects() - before).toBe(2 * ms.length);
  });
});
