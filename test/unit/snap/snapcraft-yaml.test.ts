/**
 * snap/snapcraft.yaml against snapcraft's own JSON schema, plus the properties the appliance
 * depends on (services disabled at install, the plugs dockerd needs, hooks for every plug).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import * as yaml from 'js-yaml';
import { DOCKERD_PLUGS } from '../../../src/snap/plugs';
import { DOCKERD_STOP_BUDGET_MS } from '../../../src/supervisor/dockerd-service';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SCHEMA = path.resolve(ROOT, '..', 'shared', 'contracts', 'snapcraft.schema.json');
const schemaFile = process.env.SNAPCRAFT_SCHEMA ?? SCHEMA;

type SnapcraftYaml = {
  name: string;
  base: string;
  confinement: string;
  apps: Record<string, { command: string; daemon?: string; 'install-mode'?: string; plugs?: string[]; environment?: Record<string, string> }>;
  hooks: Record<string, { plugs?: string[] }>;
  plugs: Record<string, Record<string, unknown>>;
};

const doc = yaml.load(readFileSync(path.join(ROOT, 'snap', 'snapcraft.yaml'), 'utf8')) as SnapcraftYaml;

describe('snap/snapcraft.yaml', () => {
  it('is valid against snapcraft.schema.json', () => {
    // The schema is 2020-12 style ($defs) with OpenAPI "discriminator" hints that Ajv does not
    // interpret: strict off ignores them, oneOf still picks the core24 project by its base.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
    const ok = validate(doc);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the validator is not vacuous: an unknown app key is rejected', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
    const bad = { ...doc, apps: { ...doc.apps, dockerd: { ...doc.apps.dockerd, 'restart-on': 'never' } } };
    expect(validate(bad)).toBe(false);
  });

  it('is azure-iot-edge on core24, strict', () => {
    expect([doc.name, doc.base, doc.confinement]).toEqual(['azure-iot-edge', 'core24', 'strict']);
  });

  it('leaves both services disabled at install, so nothing fails before the plugs are connected', () => {
    for (const svc of ['dockerd', 'iotedged']) {
      expect(doc.apps[svc].daemon).toBe('simple');
      expect(doc.apps[svc]['install-mode']).toBe('disable');
    }
  });

  it('gives dockerd every plug it needs, privileged containers included', () => {
    for (const p of DOCKERD_PLUGS) expect(doc.apps.dockerd.plugs).toContain(p);
    expect(doc.plugs['docker-support']).toEqual({ interface: 'docker-support', 'privileged-containers': true });
    expect(doc.plugs.home).toEqual({ interface: 'home', read: 'all' });
    for (const p of ['log-observe', 'mount-observe', 'system-observe', 'hardware-observe']) {
      expect(doc.apps.dockerd.plugs).toContain(p);
    }
  });

  it('has connect and disconnect hooks for each plug dockerd waits for', () => {
    for (const p of DOCKERD_PLUGS) {
      expect(doc.hooks[`connect-plug-${p}`]).toBeDefined();
      expect(doc.hooks[`disconnect-plug-${p}`]).toBeDefined();
    }
    for (const h of ['install', 'configure', 'post-refresh', 'remove']) expect(doc.hooks[h]).toBeDefined();
  });

  it("gives dockerd a stop-timeout its supervisor's longest stop fits in, with slack", () => {
    const timeout = (doc.apps.dockerd as { 'stop-timeout'?: string })['stop-timeout'] ?? '';
    expect(timeout).toMatch(/^\d+s$/);
    expect(parseInt(timeout, 10) * 1000).toBeGreaterThanOrEqual(DOCKERD_STOP_BUDGET_MS + 15_000);
  });

  it('lets the dockerd supervisor stop the engine in order: systemd signals only the supervisor (KillMode=process)', () => {
    expect((doc.apps.dockerd as { 'stop-mode'?: string })['stop-mode']).toBe('sigterm');
  });

  it('binds the docker app to the snap engine socket', () => {
    expect(doc.apps.docker.environment?.DOCKER_HOST).toBe('unix://$SNAP_COMMON/run/docker.sock');
  });
});
