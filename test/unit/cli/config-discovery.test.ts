/**
 * Every command that reads the configuration finds it the same way: -c, then
 * IOTEDGE_EDGED_CONFIG, then the snap's file, then /etc/aziot/config.toml.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { realFactDeps } from '../../../src/cli/commands/check';
import { realSources } from '../../../src/cli/commands/support-bundle';
import { where } from '../../../src/cli/system/where';
import { capturedContext } from '../../helpers/cli';

const SNAP = { SNAP_COMMON: '/var/snap/azure-iot-edge/common', SNAP: '/snap/azure-iot-edge/3' };
const SNAP_FILE = '/var/snap/azure-iot-edge/common/etc/aziot/config.toml';

describe('one way to find the configuration', () => {
  let dir: string;
  beforeEach(async () => (dir = await fs.mkdtemp(path.join(os.tmpdir(), 'discovery-'))));
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  const checkFile = (env: NodeJS.ProcessEnv, configFile?: string) =>
    realFactDeps({ output: 'text', warningsAsErrors: false, ntpServer: 'x', configFile }, capturedContext({ env }).ctx).configFile;

  it.each([
    ['nothing set', {}, undefined, '/etc/aziot/config.toml'],
    ['the snap', SNAP, undefined, SNAP_FILE],
    ['the environment', { IOTEDGE_EDGED_CONFIG: '/r/run/config.toml' }, undefined, '/r/run/config.toml'],
    ['the environment inside the snap', { ...SNAP, IOTEDGE_EDGED_CONFIG: '/r/run/config.toml' }, undefined, '/r/run/config.toml'],
    ['-c over the environment', { IOTEDGE_EDGED_CONFIG: '/r/run/config.toml' }, '/c.toml', '/c.toml'],
  ])('%s: where() and iotedge check agree', (_what, env, c, expected) => {
    expect(c ?? where(env).configFile).toBe(expected);
    expect(checkFile(env, c)).toBe(expected);
  });

  it('the home follows the environment too, inside the snap or not', () => {
    expect(where({ IOTEDGE_EDGED_HOME: '/r/home' }).edgedHome).toBe('/r/home');
    expect(where({ ...SNAP, IOTEDGE_EDGED_HOME: '/r/home' }).edgedHome).toBe('/r/home');
    expect(where(SNAP).edgedHome).toBe('/var/snap/azure-iot-edge/common/var/lib/aziot/edged');
    // edged inside the snap always reads the snap's file, whatever the CLI is pointed at.
    expect(where({ ...SNAP, IOTEDGE_EDGED_CONFIG: '/r/run/config.toml' }).edgedConfig).toBe(SNAP_FILE);
  });

  it('iotedge support-bundle reads the file IOTEDGE_EDGED_CONFIG names (as make run exports it)', async () => {
    const file = path.join(dir, 'config.toml');
    await fs.writeFile(file, 'hostname = "from-env"\n');
    const { ctx } = capturedContext({ env: { IOTEDGE_EDGED_CONFIG: file, IOTEDGE_EDGED_HOME: dir } });
    const files = await realSources({ output: '', since: '1 day', quiet: false }, ctx).configFiles();
    expect(files.map((f) => f.name)).toEqual(['config.toml']);
    expect(files[0].text).toContain('hostname = "from-env"');
  });
});
