import { startTestEngine, TestEngine } from '../../helpers/engine';
import { DockerModuleRuntime } from '../../../src/runtime/docker/runtime';
import { createDockerClient } from '../../../src/runtime/docker/client';
import { ModuleSpec, OWNER_LABEL, OWNER_VALUE, ORIGINAL_IMAGE_LABEL, RuntimeEvent } from '../../../src/runtime/types';
import { memoryLogger } from '../../../src/util/log';
import { ConflictError, NotFoundError, UnavailableError } from '../../../src/errors';
import { Readable } from 'node:stream';
import { until } from '../../helpers/until';

const IMAGE = 'edge-test/busybox:1';

function spec(name: string, cmd: string[], extra: Partial<ModuleSpec> = {}): ModuleSpec {
  return {
    name,
    type: 'docker',
    config: { image: IMAGE, createOptions: { Cmd: cmd } },
    env: {},
    imagePullPolicy: 'never',
    ...extra,
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

/** Strips Docker's 8-byte multiplexing headers and returns the payload text. */
function demux(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i + 8 <= buf.length) {
    const len = buf.readUInt32BE(i + 4);
    out += buf.subarray(i + 8, i + 8 + len).toString('utf8');
    i += 8 + len;
  }
  return out;
}


describe('DockerModuleRuntime on a real engine', () => {
  let engine: TestEngine;
  let runtime: DockerModuleRuntime;

  beforeAll(async () => {
    engine = await startTestEngine();
    runtime = new DockerModuleRuntime({ docker: createDockerClient(engine.host), network: 'edge-net', logger: memoryLogger() });
  });
  afterAll(async () => engine?.stop());

  it('creates the network when missing, with the owner label, and the container on it', async () => {
    const created = await runtime.create(spec('alpha', ['sh', '-c', 'echo one; echo two >&2; echo three; sleep 300'], { env: { A: 'spec', B: 'spec' } }));
    const net = await engine.docker.getNetwork('edge-net').inspect();
    expect(net.Labels?.[OWNER_LABEL]).toBe(OWNER_VALUE);
    const info = await engine.docker.getContainer('alpha').inspect();
    expect(info.Config.Labels[OWNER_LABEL]).toBe(OWNER_VALUE);
    expect(info.Config.Labels[ORIGINAL_IMAGE_LABEL]).toBe(IMAGE);
    expect(info.HostConfig.NetworkMode).toBe('edge-net');
    expect(info.Config.Env).toEqual(expect.arrayContaining(['A=spec', 'B=spec']));
    const m = await runtime.get('alpha');
    expect(created).toEqual(m);
    expect(m.state.status).toBe('stopped');
    expect(m.state.statusDescription).toBe('created');
    expect(m.state.startedAt).toBeUndefined();
    expect(m.config.image).toBe(IMAGE);
  });

  it('refuses to create a module twice', async () => {
    await expect(runtime.create(spec('alpha', ['true']))).rejects.toBeInstanceOf(ConflictError);
  });

  it('starts, lists, and starting again is a no-op', async () => {
    await runtime.start('alpha');
    await runtime.start('alpha');
    const m = await runtime.get('alpha');
    expect(m.state.status).toBe('running');
    expect(m.state.pid).toBeGreaterThan(0);
    expect(m.state.startedAt).toBeInstanceOf(Date);
    const list = await runtime.list();
    expect(list.map((x) => x.name)).toEqual(['alpha']);
  });

  it('reads logs: multiplexed, tail, timestamps', async () => {
    await until(async () => (demux(await readAll(await runtime.logs('alpha', { follow: false, tail: 'all', timestamps: false }))).includes('three') ? true : undefined), 'logs');
    const all = await readAll(await runtime.logs('alpha', { follow: false, tail: 'all', timestamps: false }));
    expect(all[0]).toBeLessThanOrEqual(2); // stream type byte of the multiplexing header
    expect(demux(all).split('\n').filter(Boolean).sort()).toEqual(['one', 'three', 'two']);
    const tail = demux(await readAll(await runtime.logs('alpha', { follow: false, tail: 1, timestamps: false })));
    expect(tail.split('\n').filter(Boolean)).toHaveLength(1);
    const ts = demux(await readAll(await runtime.logs('alpha', { follow: false, tail: 1, timestamps: true })));
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    const future = demux(await readAll(await runtime.logs('alpha', { follow: false, tail: 'all', since: Math.floor(Date.now() / 1000) + 3600, timestamps: false })));
    expect(future).toBe('');
  });

  it('follows logs until the stream is destroyed', async () => {
    await runtime.create(spec('follow', ['sh', '-c', 'i=0; while true; do echo line$i; i=$((i+1)); sleep 0.1; done']));
    await runtime.start('follow');
    const stream = await runtime.logs('follow', { follow: true, tail: 0, timestamps: false });
    let text = '';
    await new Promise<void>((resolve) => {
      stream.on('data', (c: Buffer) => {
        text += demux(c);
        if ((text.match(/line\d+/g) ?? []).length >= 3) resolve();
      });
    });
    stream.destroy();
    expect(text).toMatch(/line\d+\n/);
    const res = await runtime.systemResources();
    const stats = JSON.parse(res.docker_stats) as { name?: string }[];
    expect(stats.map((s) => s.name)).toContain('/follow');
    await runtime.remove('follow');
  });

  it('lets only one of two concurrent creates of the same name win', async () => {
    const results = await Promise.allSettled([runtime.create(spec('twin', ['true'])), runtime.create(spec('twin', ['true']))]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toBeInstanceOf(ConflictError);
    await runtime.remove('twin');
  });

  it('keeps a network mode that createOptions sets', async () => {
    await runtime.create({ ...spec('nonet', ['true']), config: { image: IMAGE, createOptions: { HostConfig: { NetworkMode: 'none' } } } });
    const info = await engine.docker.getContainer('nonet').inspect();
    expect(info.HostConfig.NetworkMode).toBe('none');
    expect(Object.keys(info.NetworkSettings.Networks)).toEqual(['none']);
    await runtime.remove('nonet');
  });

  it('stops (twice is fine), restarts, and maps exit codes to stopped/failed', async () => {
    await runtime.stop('alpha', 0);
    await runtime.stop('alpha', 0);
    let m = await runtime.get('alpha');
    expect(m.state.status).toBe('failed'); // killed by SIGKILL: exit 137
    expect(m.state.exitCode).toBe(137);
    expect(m.state.finishedAt).toBeInstanceOf(Date);
    await runtime.restart('alpha');
    m = await runtime.get('alpha');
    expect(m.state.status).toBe('running');

    await runtime.create(spec('zero', ['true']));
    await runtime.start('zero');
    m = await until(async () => {
      const x = await runtime.get('zero');
      return x.state.statusDescription === 'exited' ? x : undefined;
    }, 'zero to exit');
    expect(m.state.status).toBe('stopped');
    expect(m.state.exitCode).toBe(0);
  });

  it('streams events for owned containers until aborted', async () => {
    const ac = new AbortController();
    const seen: RuntimeEvent[] = [];
    const done = (async () => {
      for await (const e of runtime.events(ac.signal)) {
        seen.push(e);
        if (e.name === 'ev' && e.action === 'die') ac.abort();
      }
    })();
    // A foreign container's events must not show up.
    engine.cli('run', '--rm', '--name', 'foreign-ev', IMAGE, 'true');
    await runtime.create(spec('ev', ['sh', '-c', 'exit 3']));
    await runtime.start('ev');
    await done;
    expect(seen.some((e) => e.name === 'foreign-ev')).toBe(false);
    expect(seen.map((e) => e.action)).toEqual(expect.arrayContaining(['create', 'start', 'die']));
    const die = seen.find((e) => e.action === 'die');
    expect(die?.exitCode).toBe(3);
    expect(die?.time).toBeInstanceOf(Date);
  });

  it('never lists or touches a container without the owner label', async () => {
    engine.cli('create', '--name', 'foreign', IMAGE, 'sleep', '300');
    expect((await runtime.list()).map((m) => m.name)).not.toContain('foreign');
    for (const op of [
      () => runtime.get('foreign'),
      () => runtime.start('foreign'),
      () => runtime.stop('foreign'),
      () => runtime.restart('foreign'),
      () => runtime.remove('foreign'),
      () => runtime.logs('foreign', { follow: false, tail: 'all', timestamps: false }),
    ]) {
      await expect(op()).rejects.toThrow(new NotFoundError('Module foreign not found'));
    }
    const info = await engine.docker.getContainer('foreign').inspect();
    expect(info.State.Status).toBe('created');
  });

  it('removes modules; a removed module is not found', async () => {
    await runtime.remove('alpha');
    await runtime.remove('zero');
    await runtime.remove('ev');
    await expect(runtime.get('alpha')).rejects.toBeInstanceOf(NotFoundError);
    expect(await runtime.list()).toEqual([]);
  });

  it('fails clearly when the image is missing and the pull policy is never', async () => {
    await expect(runtime.create({ ...spec('nope', ['true']), config: { image: 'edge-test/missing:1', createOptions: {} } })).rejects.toThrow(
      /edge-test\/missing:1.*never/,
    );
  });

  it('reports system info and resources', async () => {
    const info = await runtime.systemInfo();
    expect(info.osType).toBe('linux');
    expect(info.server_version).toMatch(/\d+\.\d+/);
    expect(info.cpus).toBeGreaterThan(0);
    const res = await runtime.systemResources();
    expect(res.total_ram).toBeGreaterThan(0);
    expect(res.disks.length).toBe(1);
    expect(JSON.parse(res.docker_stats)).toEqual([]);
  });

  it('names the socket when the engine is unreachable', async () => {
    const dead = new DockerModuleRuntime({ docker: createDockerClient('unix:///nonexistent/docker.sock'), logger: memoryLogger() });
    const err = await dead.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toContain('/nonexistent/docker.sock');
  });

  // Last: stops this file's engine.
  it('ends the event stream and answers UnavailableError when the engine goes away', async () => {
    const ac = new AbortController();
    const consumed = (async () => {
      for await (const e of runtime.events(ac.signal)) void e;
    })();
    await engine.stop();
    const outcome = await consumed.then(
      () => 'ended quietly',
      (e: unknown) => e,
    );
    expect(outcome).toBeInstanceOf(UnavailableError);
    expect((outcome as Error).message).toContain(engine.socketPath);
    const err = await runtime.list().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toContain(engine.socketPath);
    ac.abort();
  });
});
