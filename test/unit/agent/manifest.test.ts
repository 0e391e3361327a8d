import { parseDeployment, parseDeploymentText } from '../../../src/agent/manifest/parse';
import { DeploymentError } from '../../../src/agent/manifest/errors';
import { normalizeImage, registryHost } from '../../../src/agent/manifest/image';
import { joinCreateOptions } from '../../../src/agent/manifest/create-options';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const desired = {
  schemaVersion: '1.1',
  runtime: {
    type: 'docker',
    settings: { registryCredentials: { cr: { address: 'https://myreg.azurecr.io', username: 'u', password: 'p' } } },
  },
  systemModules: {
    edgeAgent: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-agent:1.5' } },
    edgeHub: { type: 'docker', settings: { image: 'mcr.microsoft.com/azureiotedge-hub:1.5', createOptions: '' }, status: 'running' },
  },
  modules: {
    sensor: {
      version: '1.0',
      type: 'docker',
      status: 'running',
      startupOrder: 2,
      settings: { image: 'myreg.azurecr.io/sensor', createOptions: '{"Cmd":', createOptions01: '["run"]}' },
      env: { INTERVAL: { value: 5 }, NAME: { value: 'x' } },
    },
  },
};

function rejects(doc: unknown): DeploymentError {
  try {
    parseDeployment(doc);
  } catch (e) {
    expect(e).toBeInstanceOf(DeploymentError);
    return e as DeploymentError;
  }
  throw new Error('expected a rejection');
}

describe('manifest shapes', () => {
  const shapes: [string, unknown][] = [
    ['IoT Hub modulesContent', { modulesContent: { $edgeAgent: { 'properties.desired': desired }, $edgeHub: {} } }],
    ['Azure CLI content wrapper', { content: { modulesContent: { $edgeAgent: { 'properties.desired': desired } } } }],
    ['edgeAgent local file', { version: 7, deploymentConfig: desired }],
  ];
  it.each(shapes)('%s gives the same modules', (_name, doc) => {
    const d = parseDeployment(doc);
    expect(d.schemaVersion).toBe('1.1');
    expect(d.modules.map((m) => m.name)).toEqual(['edgeHub', 'sensor']);
    const sensor = d.modules.find((m) => m.name === 'sensor')!;
    expect(sensor).toMatchObject({
      image: 'myreg.azurecr.io/sensor:latest',
      restartPolicy: 'on-unhealthy',
      imagePullPolicy: 'on-create',
      startupOrder: 2,
      createOptions: { Cmd: ['run'] },
      env: { INTERVAL: '5', NAME: 'x' },
      auth: { username: 'u', password: 'p', serveraddress: 'myreg.azurecr.io' },
    });
    const hub = d.modules.find((m) => m.name === 'edgeHub')!;
    expect(hub).toMatchObject({ system: true, restartPolicy: 'always', startupOrder: 4294967295, createOptions: {} });
    expect(hub.auth).toBeUndefined();
    expect(d.edgeAgentImage).toBe('mcr.microsoft.com/azureiotedge-agent:1.5');
  });

  it('reads the version of the local form', () => {
    expect(parseDeployment({ version: 7, deploymentConfig: desired }).version).toBe(7);
  });

  it('parses the upstream quickstart template', () => {
    const text = readFileSync(path.resolve(__dirname, '../../../../shared/contracts/deployments/iotedge-e2e-quickstart_deployment.template.json'), 'utf8');
    const d = parseDeploymentText(text.replace(/<[A-Za-z_.]+>/g, 'x'));
    expect(d.modules.map((m) => m.name)).toEqual(['edgeHub', 'tempSensor']);
    expect(d.modules[0].createOptions).toHaveProperty('HostConfig');
  });
});

describe('manifest validation names the module and field', () => {
  const withModule = (m: unknown) => ({ version: 1, deploymentConfig: { schemaVersion: '1.0', modules: { bad: m } } });
  const ok = { type: 'docker', settings: { image: 'a:1' } };
  it.each([
    ['missing image', withModule({ type: 'docker', settings: {} }), 'modules.bad.settings.image'],
    ['bad createOptions', withModule({ ...ok, settings: { image: 'a', createOptions: '{nope' } }), 'modules.bad.settings.createOptions'],
    ['bad restart policy', withModule({ ...ok, restartPolicy: 'sometimes' }), 'modules.bad.restartPolicy'],
    ['bad status', withModule({ ...ok, status: 'paused' }), 'modules.bad.status'],
    ['bad pull policy', withModule({ ...ok, imagePullPolicy: 'always' }), 'modules.bad.imagePullPolicy'],
    ['bad startupOrder', withModule({ ...ok, startupOrder: -1 }), 'modules.bad.startupOrder'],
    ['bad type', withModule({ ...ok, type: 'rkt' }), 'modules.bad.type'],
    ['bad env', withModule({ ...ok, env: { A: 'plain' } }), 'modules.bad.env.A'],
    ['createOptions gap', withModule({ ...ok, settings: { image: 'a', createOptions: '{', createOptions02: '}' } }), 'modules.bad.settings'],
  ])('%s', (_name, doc, field) => {
    const e = rejects(doc);
    expect(e.field).toBe(field);
    expect(e.message).toContain(field);
    expect(e.code).toBe(400);
  });

  it('unknown schemaVersion is 412', () => {
    const e = rejects({ deploymentConfig: { schemaVersion: '2.0', modules: {} } });
    expect(e.code).toBe(412);
    expect(e.field).toBe('schemaVersion');
  });

  it('bad JSON says so', () => {
    expect(() => parseDeploymentText('{"modulesContent": ')).toThrow(/not valid JSON/);
  });

  it('something that is not a deployment is 417', () => {
    expect(rejects({ hello: 1 }).code).toBe(417);
    expect(rejects({ modulesContent: {} }).field).toBe('modulesContent.$edgeAgent');
  });

  it('module names follow the container name grammar', () => {
    expect(rejects(withModuleNamed('-x')).field).toBe('modules.-x');
  });
  function withModuleNamed(name: string) {
    return { deploymentConfig: { schemaVersion: '1.0', modules: { [name]: { settings: { image: 'a' } } } } };
  }
});

describe('images and createOptions', () => {
  it('adds :latest only without tag or digest', () => {
    expect(normalizeImage('busybox', 'f')).toBe('busybox:latest');
    expect(normalizeImage('localhost:5000/a/b', 'f')).toBe('localhost:5000/a/b:latest');
    expect(normalizeImage('localhost:5000/a/b:2', 'f')).toBe('localhost:5000/a/b:2');
    expect(normalizeImage('a@sha256:abcd', 'f')).toBe('a@sha256:abcd');
  });
  it('finds the registry host', () => {
    expect(registryHost('busybox:1')).toBe('docker.io');
    expect(registryHost('library/busybox:1')).toBe('docker.io');
    expect(registryHost('localhost:5000/a:1')).toBe('localhost:5000');
    expect(registryHost('MyReg.azurecr.io/a:1')).toBe('myreg.azurecr.io');
  });
  it('joins createOptions chunks in numeric order', () => {
    const parts: Record<string, unknown> = { createOptions: '{"A":' };
    for (let i = 1; i <= 11; i++) parts[`createOptions${String(i).padStart(2, '0')}`] = i === 11 ? '1}' : '';
    expect(joinCreateOptions(parts, 'f')).toEqual({ A: 1 });
    expect(joinCreateOptions({ createOptions: '' }, 'f')).toEqual({});
    expect(joinCreateOptions({ createOptions: 'null' }, 'f')).toEqual({});
  });
});
