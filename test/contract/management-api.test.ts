/**
 * Every route of every upstream management API version, driven through the real handlers on a
 * real unix socket (with an in-memory runtime), each response checked against that version's
 * swagger file in ../shared/contracts/edged-api/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listenUnix, UnixListener } from '../../src/api/http';
import { createManagementApi, ManagementContext, MANAGEMENT_API_VERSIONS } from '../../src/api/management';
import { memoryLogger } from '../../src/util/log';
import { Mutex } from '../../src/util/mutex';
import { FakeRuntime } from '../helpers/fake-runtime';
import { FakeIdentityManager } from '../helpers/fake-identities';
import { loadSpec, Spec, specRoutes, validateResponse } from './helpers/openapi';
import { demuxDockerStream, unixRequest, UnixResponse } from './helpers/unix-client';
import { manualProvisioning } from '../helpers/config';

const specFile = (v: string) => `managementVersion_${v.replace(/-/g, '_')}.yaml`;
const SPECS = new Map<string, Spec>(MANAGEMENT_API_VERSIONS.map((v) => [v, loadSpec(specFile(v))]));

const spec = (name: string, image = 'edge-test/busybox:1') => ({
  name,
  type: 'docker',
  imagePullPolicy: 'On-Create',
  config: {
    settings: { image, createOptions: { HostConfig: { PortBindings: { '22/tcp': [{ HostPort: '11022' }] } } } },
    env: [{ key: 'A', value: '1' }],
  },
});

let dir: string;
let listener: UnixListener;
let runtime: FakeRuntime;
let ctx: ManagementContext;
let reprovisions = 0;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'mgmt-contract-'));
  runtime = new FakeRuntime();
  const identities = new FakeIdentityManager();
  ctx = {
    runtime,
    logger: memoryLogger(),
    clock: runtime.clock,
    deploymentLock: new Mutex(),
    config: { provisioning: manualProvisioning(`HostName=h;DeviceId=d;SharedAccessKey=${Buffer.from('k').toString('base64')}`), auto_reprovisioning_mode: 'Dynamic' },
    identities: () => identities,
    reprovision: async () => {
      reprovisions++;
    },
    reportedState: async () => ({ lastDesiredStatus: { code: 200, description: '' }, modules: {} }),
  };
  listener = await listenUnix(createManagementApi(ctx), `unix://${path.join(dir, 'mgmt.sock')}`, { mode: 0o660 });
});

afterAll(async () => {
  await listener?.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = (method: string, p: string, body?: unknown, headers?: Record<string, string>) =>
  unixRequest(listener.socketPath, method, p, body, headers);
const withVersion = (p: string, v: string) => `${p}${p.includes('?') ? '&' : '?'}api-version=${v}`;

/** How to exercise one route successfully in version `v`: its concrete path, body and expected status. */
type Scenario = (v: string) => Promise<{ path: string; body?: unknown; status: number; setup?: () => Promise<void> }>;

async function running(name: string): Promise<void> {
  if (!runtime.modules.has(name)) {
    await runtime.create({ name, type: 'docker', config: { image: 'img:1', createOptions: {} }, env: {}, imagePullPolicy: 'never' });
  }
  await runtime.start(name);
}

const SCENARIOS: Record<string, Scenario> = {
  'GET /modules': async () => {
    await running('listed');
    await runtime.stop('listed'); // exitStatus filled
    return { path: '/modules', status: 200 };
  },
  'POST /modules': async (v) => ({ path: '/modules', body: spec(`created-${v}`), status: 201 }),
  'GET /modules/{name}': async () => {
    await running('edgeAgent-like');
    // Path segments are decoded before the name is checked and used: %65 is "e".
    return { path: '/modules/%65dgeAgent-like', status: 200 };
  },
  'PUT /modules/{name}': async (v) => {
    await running(`updated-${v}`);
    return { path: `/modules/updated-${v}?start=true`, body: spec(`updated-${v}`, 'img:2'), status: 200 };
  },
  'DELETE /modules/{name}': async (v) => {
    await running(`deleted-${v}`);
    return { path: `/modules/deleted-${v}`, status: 204 };
  },
  'POST /modules/{name}/prepareupdate': async () => {
    await running('prepared');
    return { path: '/modules/prepared/prepareupdate', body: spec('prepared', 'img:3'), status: 204 };
  },
  'POST /modules/{name}/start': async () => {
    await running('acted');
    await runtime.stop('acted');
    return { path: '/modules/acted/start', status: 204 };
  },
  'POST /modules/{name}/stop': async () => {
    await running('acted');
    return { path: '/modules/acted/stop', status: 204 };
  },
  'POST /modules/{name}/restart': async () => {
    await running('acted');
    return { path: '/modules/acted/restart', status: 204 };
  },
  'GET /modules/{name}/logs': async () => {
    await running('logger');
    runtime.logLines.set('logger', ['one', 'two', 'three']);
    return { path: '/modules/logger/logs?tail=2&since=1d&timestamps=false', status: 200 };
  },
  'GET /identities/': async () => ({ path: '/identities/', status: 200 }),
  'POST /identities/': async (v) => ({ path: '/identities/', body: { moduleId: `id-${v}`, managedBy: 'iotedge' }, status: 200 }),
  'PUT /identities/{name}': async (v) => ({ path: `/identities/id-${v}`, body: { generationId: '42' }, status: 200 }),
  'DELETE /identities/{name}': async (v) => ({ path: `/identities/id-${v}`, status: 204 }),
  'GET /systeminfo': async () => ({ path: '/systeminfo', status: 200 }),
  'GET /systeminfo/resources': async () => ({ path: '/systeminfo/resources', status: 200 }),
  // Deliberately not built by edged (see docs/api.md): a documented error answer.
  'GET /systeminfo/supportbundle': async () => ({ path: '/systeminfo/supportbundle?since=1h', status: 501 }),
  'POST /device/reprovision': async () => ({ path: '/device/reprovision', status: 200 }),
};

const ALL_ROUTES = [...new Set([...SPECS.values()].flatMap((s) => specRoutes(s).map(([m, p]) => `${m} ${p}`)))];

function expectConforms(s: Spec, method: string, template: string, res: UnixResponse): void {
  expect(validateResponse(s, method, template, res.status, res.json)).toEqual([]);
}

describe.each(MANAGEMENT_API_VERSIONS)('management API %s', (v) => {
  const s = SPECS.get(v)!;
  const routes = specRoutes(s);
  const present = new Set(routes.map(([m, p]) => `${m} ${p}`));

  it('is the version its file declares (upstream mislabels 2019-11-05 as 2019-10-22)', () => {
    expect(s.version).toBe(v === '2019-11-05' ? '2019-10-22' : v);
  });

  it.each(routes.map(([m, p]) => [`${m} ${p}`, m, p]))('%s answers as the schema says', async (_key, method, template) => {
    const scenario = SCENARIOS[`${method} ${template}`];
    expect(scenario).toBeDefined();
    const { path: p, body, status } = await scenario(v);
    const res = await call(method, withVersion(p, v), body);
    expect({ status: res.status, body: res.json ?? res.text.slice(0, 200) }).toMatchObject({ status });
    if (res.headers['content-type'] === 'application/json') expectConforms(s, method, template, res);
    else expect(validateResponse(s, method, template, res.status, undefined)).toEqual([]);
  });

  const absent = ALL_ROUTES.filter((r) => !present.has(r));
  if (absent.length === 0) {
    it('has every route of the newest versions (nothing to answer 404 for)', () => {
      expect(routes.length).toBe(ALL_ROUTES.length);
    });
  } else it.each(absent.map((r) => [r]))('%s does not exist: 404', async (key) => {
    const [method, template] = key.split(' ');
    const res = await call(method, withVersion(template.replace('{name}', 'x'), v), method === 'GET' ? undefined : {});
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ message: expect.stringContaining(`not part of api-version ${v}`) });
  });

  it('answers a missing module with a 404 ErrorResponse on every module route', async () => {
    for (const [method, template] of routes.filter(([, p]) => p.startsWith('/modules/{name}'))) {
      const body = ['PUT', 'POST'].includes(method) && !/start|stop|restart/.test(template) ? spec('ghost') : undefined;
      const res = await call(method, withVersion(template.replace('{name}', 'ghost'), v), body);
      expect({ key: `${method} ${template}`, status: res.status }).toEqual({ key: `${method} ${template}`, status: template.endsWith('prepareupdate') ? 204 : 404 });
      if (res.status === 404) expectConforms(s, method, template, res);
    }
  });

  it('answers a second create of the same module with a 409 ErrorResponse', async () => {
    await call('POST', withVersion('/modules', v), spec(`dup-${v}`));
    const res = await call('POST', withVersion('/modules', v), spec(`dup-${v}`));
    expect(res.status).toBe(409);
    expectConforms(s, 'POST', '/modules', res);
  });

  it('answers a bad ModuleSpec with a 400 ErrorResponse naming the field', async () => {
    const bad = { ...spec('bad'), config: { settings: { createOptions: {} } } };
    const res = await call('POST', withVersion('/modules', v), bad);
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ message: 'module bad: "config.settings.image" must be a non-empty string' });
    expectConforms(s, 'POST', '/modules', res);
  });
});

describe('api-version', () => {
  it('is mandatory', async () => {
    const res = await call('GET', '/modules');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ message: 'api-version not specified' });
  });

  it('must be one upstream knows', async () => {
    const res = await call('GET', '/modules?api-version=2017-01-01');
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ message: 'invalid api-version "2017-01-01"' });
  });

  it('is checked before the path, as upstream does', async () => {
    const res = await call('GET', '/nowhere');
    expect(res).toMatchObject({ status: 400, json: { message: 'api-version not specified' } });
  });

  it('unknown paths are 404 in every version', async () => {
    const res = await call('GET', '/nowhere?api-version=2022-08-03');
    expect(res).toMatchObject({ status: 404, json: { message: 'not found: GET /nowhere' } });
  });
});

describe('details of the answers', () => {
  const v = '2022-08-03';
  const s = SPECS.get(v)!;

  it('passes Docker log frames through unchanged, with the query applied', async () => {
    await running('framed');
    runtime.logLines.set('framed', ['a', 'b', 'c']);
    const res = await call('GET', withVersion('/modules/framed/logs?tail=2&follow=false&timestamps=true&since=1700000000', v));
    expect(res.status).toBe(200);
    expect(demuxDockerStream(res.body)).toEqual([
      { stream: 1, text: 'b\n' },
      { stream: 1, text: 'c\n' },
    ]);
    expect(runtime.lastLogOptions).toEqual({ follow: false, tail: 2, timestamps: true, since: 1700000000 });
  });

  it('rejects a bad log query with a 400 naming the parameter', async () => {
    await running('framed');
    const res = await call('GET', withVersion('/modules/framed/logs?tail=lots', v));
    expect(res.status).toBe(400);
    expect((res.json as { message: string }).message).toMatch(/^invalid parameter: tail \("lots"\)/);
  });

  it('replaces runtimeStatus with the agent overlay', async () => {
    await running('crashy');
    ctx.moduleStatus = (name) => (name === 'crashy' ? { status: 'backoff', description: 'restarting in 20 s' } : undefined);
    try {
      const res = await call('GET', withVersion('/modules/crashy', v));
      expectConforms(s, 'GET', '/modules/{name}', res);
      expect((res.json as { status: unknown }).status).toMatchObject({ runtimeStatus: { status: 'backoff', description: 'restarting in 20 s' } });
      const list = await call('GET', withVersion('/modules', v));
      const row = (list.json as { modules: { name: string; status: { runtimeStatus: { status: string } } }[] }).modules.find((m) => m.name === 'crashy');
      expect(row?.status.runtimeStatus.status).toBe('backoff');
    } finally {
      ctx.moduleStatus = undefined;
    }
  });

  it('fills systeminfo provisioning from the config', async () => {
    const res = await call('GET', withVersion('/systeminfo', v));
    expect(res.json).toMatchObject({ provisioning: { type: 'manual', dynamicReprovisioning: true } });
  });

  it('answers identity routes with 501 until an identity manager is present', async () => {
    const saved = ctx.identities;
    ctx.identities = undefined;
    try {
      for (const [method, p, body] of [
        ['GET', '/identities/', undefined],
        ['POST', '/identities/', { moduleId: 'm' }],
        ['PUT', '/identities/m1', { generationId: '1' }],
        ['DELETE', '/identities/m1', undefined],
      ] as const) {
        const res = await call(method, withVersion(p, v), body);
        expect(res.status).toBe(501);
        expect((res.json as { message: string }).message).toMatch(/module identities are not available/);
        expectConforms(s, method, p === '/identities/m1' ? '/identities/{name}' : p, res);
      }
    } finally {
      ctx.identities = saved;
    }
  });

  it('hands reprovision to the context, or answers 501 when nothing can reprovision', async () => {
    const before = reprovisions;
    expect((await call('POST', withVersion('/device/reprovision', v))).status).toBe(200);
    expect(reprovisions).toBe(before + 1);
    const saved = ctx.reprovision;
    ctx.reprovision = undefined;
    try {
      const res = await call('POST', withVersion('/device/reprovision', v));
      expect(res.status).toBe(501);
      expectConforms(s, 'POST', '/device/reprovision', res);
    } finally {
      ctx.reprovision = saved;
    }
  });

  it('serves the local deployment status in any version, or 404 without one', async () => {
    const ok = await call('GET', '/deployment/status?api-version=2018-06-28');
    expect(ok).toMatchObject({ status: 200, json: { lastDesiredStatus: { code: 200 } } });
    const saved = ctx.reportedState;
    ctx.reportedState = undefined;
    try {
      const none = await call('GET', withVersion('/deployment/status', v));
      expect(none.status).toBe(404);
      expect((none.json as { message: string }).message).toMatch(/^no local deployment/);
    } finally {
      ctx.reportedState = saved;
    }
  });
});
