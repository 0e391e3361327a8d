import { BadRequestError } from '../../../src/errors';
import {
  checkGenerationId,
  checkModuleId,
  checkModuleName,
  isModuleName,
  MODULE_NAME_MAX_LENGTH,
} from '../../../src/runtime/module-name';
import { parseModuleSpec } from '../../../src/api/management/module-spec';
import { parseDeployment } from '../../../src/agent/manifest/parse';

const HOSTILE = ['', 'x', '../etc', '..', '.hidden', '-flag', 'a/b', 'a\0b', 'a b', 'módulo', 'a%2Fb', 'a?b', 'a#b', '$edgeAgent', 'x'.repeat(MODULE_NAME_MAX_LENGTH + 1), 'y'.repeat(10_240)];

describe('module names', () => {
  it.each(['edgeAgent', 'SimulatedTemperatureSensor', 'm1', 'a.b_c-d', '9lives', 'n'.repeat(MODULE_NAME_MAX_LENGTH)])('accepts %s', (name) => {
    expect(checkModuleName(name)).toBe(name);
  });

  it.each(HOSTILE.map((n) => [n]))('refuses %j with a 400 naming the rule', (name) => {
    expect(isModuleName(name)).toBe(false);
    let error: unknown;
    try {
      checkModuleName(name);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BadRequestError);
    const message = (error as Error).message;
    expect(message).toMatch(/^invalid module name /);
    // A hostile name is shown escaped and shortened: one line, never the 10 KB.
    expect(message).not.toMatch(/[\n\0]/);
    expect(message.length).toBeLessThan(200);
  });

  it('allows upstream\'s $ prefix on module ids (workload paths, hub identities) only', () => {
    expect(checkModuleId('$edgeAgent')).toBe('$edgeAgent');
    expect(() => checkModuleId('$../x')).toThrow(BadRequestError);
    expect(() => checkModuleName('$edgeAgent')).toThrow(BadRequestError);
  });

  it('checks module ids and generation ids', () => {
    expect(checkModuleId('$edgeHub')).toBe('$edgeHub');
    for (const bad of ['a/b', 'a b', 'a\0', '..', '$', '$$x', 'z'.repeat(129)]) {
      expect(() => checkModuleId(bad)).toThrow(BadRequestError);
    }
    expect(checkGenerationId('637123456789012345')).toBe('637123456789012345');
    expect(() => checkGenerationId('a/b')).toThrow(BadRequestError);
    expect(() => checkGenerationId('g'.repeat(129))).toThrow(BadRequestError);
  });

  it('is the rule of a ModuleSpec body and of a manifest', () => {
    const spec = (name: string) => ({ name, type: 'docker', config: { settings: { image: 'i' } } });
    expect(() => parseModuleSpec(spec('../../etc'))).toThrow('invalid module spec name "../../etc"');
    const manifest = (name: string) => ({
      modulesContent: {
        $edgeAgent: { 'properties.desired': { schemaVersion: '1.1', runtime: { type: 'docker' }, systemModules: {}, modules: { [name]: { type: 'docker', status: 'running', restartPolicy: 'always', settings: { image: 'i' } } } } },
      },
    });
    expect(() => parseDeployment(manifest('z'.repeat(129)))).toThrow(/is 129 characters long \(at most 128\)/);
    expect(() => parseDeployment(manifest('a\0b'))).toThrow(/modules\."a\\u0000b": is not a valid module name/);
  });
});
