/**
 * `allow_elevated_docker_permissions = false` on a real edged and a real engine, on both paths
 * that create containers (the management API, a local deployment): whatever the spelling, the
 * created container is not privileged, has no added capabilities and drops CHOWN and SETUID,
 * and edged's log says what it removed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileSync } from 'node:fs';
import { DEFAULT_MANAGEMENT_API_VERSION } from '../../../src/api/management';
import { unixRequest } from '../../contract/helpers/unix-client';
import { startEdged, until, type EdgedUnderTest } from '../../helpers/edged';
import { deployment } from '../agent/harness';

const PREAMBLE = 'allow_elevated_docker_permissions = false';
const HOSTILE_OPTIONS = [
  { HostConfig: { Privileged: true, CapAdd: ['SYS_ADMIN'] } },
  { HostConfig: { privileged: true, capAdd: ['NET_ADMIN'] } },
  { hostconfig: { PRIVILEGED: true, CAPADD: ['ALL'] } },
  { Privileged: true, CapAdd: ['SYS_ADMIN'] },
];

async function expectRestricted(edged: EdgedUnderTest, name: string): Promise<void> {
  const info = await edged.engine.docker.getContainer(name).inspect();
  expect({ name, privileged: info.HostConfig.Privileged, capAdd: info.HostConfig.CapAdd ?? [] }).toEqual({ name, privileged: false, capAdd: [] });
  expect(info.HostConfig.CapDrop).toEqual(expect.arrayContaining(['CHOWN', 'SETUID']));
  expect(edged.log.some((l) => l.includes(`Module ${name}: elevated permissions are disallowed on this device`))).toBe(true);
}

describe('through the management API', () => {
  let edged: EdgedUnderTest;
  beforeAll(async () => {
    edged = await startEdged({ prefix: 'hostile-priv-api-', preamble: PREAMBLE });
  }, 60_000);
  afterAll(() => edged?.stop());

  it.each(HOSTILE_OPTIONS.map((o, i) => [i, o]))('creates the module unprivileged (%i: %j)', async (i, createOptions) => {
    const name = `api-${i}`;
    const res = await unixRequest(edged.mgmt, 'POST', `/modules?api-version=${DEFAULT_MANAGEMENT_API_VERSION}`, {
      name,
      type: 'docker',
      imagePullPolicy: 'never',
      config: { settings: { image: 'edge-test/busybox:1', createOptions } },
    });
    expect(res.status).toBe(201);
    await expectRestricted(edged, name);
  });
});

describe('through a local deployment', () => {
  let edged: EdgedUnderTest;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'hostile-priv-deploy-'));
    const file = path.join(dir, 'deployment.json');
    writeFileSync(file, deployment(Object.fromEntries(HOSTILE_OPTIONS.map((createOptions, i) => [`local-${i}`, { createOptions }]))));
    edged = await startEdged({ prefix: 'hostile-priv-local-', preamble: PREAMBLE, toml: `[local_deployment]\nfile = "${file}"\n` });
  }, 60_000);
  afterAll(async () => {
    await edged?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates and runs every module unprivileged', async () => {
    for (let i = 0; i < HOSTILE_OPTIONS.length; i++) {
      const name = `local-${i}`;
      await until(`${name} running`, async () => ((await edged.engine.docker.getContainer(name).inspect().catch(() => undefined))?.State.Running ? true : undefined), 30_000);
      await expectRestricted(edged, name);
    }
  }, 60_000);
});
