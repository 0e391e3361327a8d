import { buildReportedState, ReportInputs } from '../../../src/agent/reported-state';
import { localDeploymentSettings } from '../../../src/agent/settings';
import { parseSuperConfig } from '../../../src/config/load';
import { parseDeployment } from '../../../src/agent/manifest/parse';
import type { CurrentModule } from '../../../src/agent/planner/current';
import { ConfigError } from '../../../src/errors';

const NOW = Date.UTC(2026, 0, 1, 12);
const deployment = parseDeployment({
  version: 4,
  deploymentConfig: {
    schemaVersion: '1.1',
    runtime: { settings: { registryCredentials: { cr: { address: 'reg.io', username: 'u', password: 'secret-pw' } } } },
    systemModules: { edgeHub: { settings: { image: 'reg.io/hub:1' } } },
    modules: Object.fromEntries(['up', 'waiting', 'done', 'sick', 'missing', 'broken'].map((n) => [n, { version: '1', settings: { image: 'reg.io/m:1' } }])),
  },
});
const current = (name: string, over: Partial<CurrentModule>): [string, CurrentModule] => [name, { name, status: 'running', startedAt: NOW - 60_000, ...over }];

function inputs(over: Partial<ReportInputs> = {}): ReportInputs {
  return {
    deployment,
    lastDesiredVersion: 4,
    lastDesiredStatus: { code: 200, description: '' },
    current: new Map([
      current('edgeHub', {}),
      current('up', {}),
      current('waiting', { status: 'failed', dockerState: 'exited', exitCode: 2, finishedAt: NOW - 5_000 }),
      current('done', { status: 'stopped', dockerState: 'exited', exitCode: 0, finishedAt: NOW - 5_000 }),
      current('sick', {}),
    ]),
    health: {
      waiting: { restartCount: 2, lastRestartTime: NOW - 30_000 },
      sick: { restartCount: 0, unhealthy: true },
    },
    backoff: new Map([['waiting', { at: NOW + 35_000, restartCount: 2 }]]),
    errors: new Map([['broken', 'create failed: image reg.io/m:1 not found']]),
    maxRestartCount: 20,
    now: NOW,
    ...over,
  };
}

it('reports each module like edgeAgent, edgeHub under systemModules', () => {
  const s = buildReportedState(inputs());
  expect(s).toMatchObject({ schemaVersion: '1.1', lastDesiredVersion: 4, lastDesiredStatus: { code: 200 } });
  expect(s.systemModules.edgeHub).toMatchObject({ runtimeStatus: 'running', restartPolicy: 'always' });
  expect(s.modules.up).toMatchObject({ runtimeStatus: 'running', restartCount: 0, lastStartTimeUtc: new Date(NOW - 60_000).toISOString() });
  expect(s.modules.waiting).toMatchObject({
    runtimeStatus: 'backoff',
    exitCode: 2,
    restartCount: 2,
    statusDescription: 'waiting to restart in 35 s (restart 3 of 20)',
    lastExitTimeUtc: new Date(NOW - 5_000).toISOString(),
    lastRestartTimeUtc: new Date(NOW - 30_000).toISOString(),
  });
  expect(s.modules.done).toMatchObject({ runtimeStatus: 'stopped', exitCode: 0 });
  expect(s.modules.sick.runtimeStatus).toBe('unhealthy');
  expect(s.modules.missing.runtimeStatus).toBe('unknown');
  expect(s.modules.broken).toMatchObject({ runtimeStatus: 'failed', statusDescription: 'create failed: image reg.io/m:1 not found' });
});

it('never carries registry credentials', () => {
  expect(JSON.stringify(buildReportedState(inputs()))).not.toContain('secret-pw');
});

describe('[local_deployment] settings', () => {
  it('defaults to upstream constants; keys override them', () => {
    expect(localDeploymentSettings({ file: '/d.json' })).toEqual({
      file: '/d.json',
      debounceMs: 200,
      restart: { coolOffUnitMs: 10_000, maxCoolOffMs: 300_000, maxRestartCount: 20, intensiveCareMs: 600_000 },
    });
    expect(localDeploymentSettings({ file: '/d.json', restart_cool_off_secs: 1, restart_max_count: 3 })!.restart).toMatchObject({ coolOffUnitMs: 1000, maxRestartCount: 3 });
    expect(localDeploymentSettings(undefined)).toBeUndefined();
  });
  it('comes from the schema, which rejects unknown keys and bad values clearly', () => {
    const parse = (keys: string) => parseSuperConfig(`[local_deployment]\nfile = "/d"\n${keys}\n`, { home: '/h' }).local_deployment;
    expect(localDeploymentSettings(parse('restart_max_count = 3'))!.restart.maxRestartCount).toBe(3);
    expect(() => parse('restart_count = 1')).toThrow(/restart_count: unknown key/);
    expect(() => parse('restart_max_count = 0')).toThrow(/restart_max_count/);
    expect(() => parse('debounce_ms = -1')).toThrow(/debounce_ms/);
    expect(() => parse('debounce_ms = -1')).toThrow(ConfigError);
  });
});
