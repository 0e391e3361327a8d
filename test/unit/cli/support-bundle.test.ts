import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { realSources, supportBundle } from '../../../src/cli/commands/support-bundle';
import type { BundleSources } from '../../../src/cli/support-bundle/collect';
import { UnavailableError } from '../../../src/errors';
import { capturedContext } from '../../helpers/cli';
import { unzip } from './unzip';

const SECRETS = {
  key: 'UExBTlRFRC1ERVZJQ0UtS0VZLTAwMDE=',
  dropInKey: 'UExBTlRFRC1EUk9QSU4tS0VZLTAwMDI=',
  password: 'planted-registry-password',
  envToken: 'planted-env-token',
  pin: 'planted-pin-4711',
  est: 'planted-est-password',
  tpm: 'planted-tpm-owner',
  unknown: 'planted-unknown-secret',
  createEnv: 'planted-create-env-pass',
};

describe('iotedge support-bundle', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bundle-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  function ctx(env: NodeJS.ProcessEnv) {
    const { ctx: c, stdout, stderr } = capturedContext({ env, now: () => Date.UTC(2026, 0, 31, 12), host: 'unix:///none.sock' });
    return { c, progress: stderr, stdout };
  }

  it('redacts every secret of the configuration and its drop-ins', async () => {
    const config = path.join(dir, 'config.toml');
    await fs.writeFile(
      config,
      `hostname = "dev"
[provisioning]
source = "manual"
connection_string = "HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=${SECRETS.key}"
[agent.config]
image = "img:1"
createOptions = { Env = ["DB_PASSWORD=${SECRETS.createEnv}", "MODE=x"] }
[agent.config.auth]
serveraddress = "r.io"
username = "u"
password = "${SECRETS.password}"
[agent.env]
API_TOKEN = "${SECRETS.envToken}"
[aziot_keys]
pkcs11_base_slot = "pkcs11:slot-id=0?pin-value=${SECRETS.pin}"
[tpm.hierarchy_authorization]
owner = "${SECRETS.tpm}"
`,
    );
    await fs.mkdir(path.join(dir, 'config.d'));
    await fs.writeFile(
      path.join(dir, 'config.d', '10-dps.toml'),
      `[provisioning]\nsource = "dps"\nid_scope = "s"\n[provisioning.attestation]\nmethod = "symmetric_key"\nregistration_id = "r"\nsymmetric_key = { value = "${SECRETS.dropInKey}" }\n[edge_ca]\nmethod = "est"\npassword = "${SECRETS.est}"\n[mystery]\nclient_secret = "${SECRETS.unknown}"\n`,
    );
    await fs.writeFile(path.join(dir, 'config.d', '20-broken.toml'), `password = "${SECRETS.unknown}\n`);

    const { c, progress, stdout } = ctx({ IOTEDGE_EDGED_HOME: path.join(dir, 'home') });
    const real = realSources({ output: '', since: '1 day', quiet: false, configFile: config }, c);
    const sources: BundleSources = {
      configFiles: real.configFiles,
      daemonLogs: async (since) => `daemon log since ${since}\n`,
      modules: async () => ({ listing: 'NAME STATUS\nsensor running\n', names: ['sensor'] }),
      moduleLogs: async (name) => Buffer.from(`${name} says hello\n`),
      checkOutput: async () => '{"checks":{}}\n',
      engineInfo: async () => Promise.reject(new UnavailableError('engine down')),
    };
    const out = path.join(dir, 'bundle.zip');
    await supportBundle({ output: out, since: '2 hours', quiet: false }, c, sources);

    expect(stdout()).toBe(`Created support bundle at ${out}\n`);
    expect((await fs.stat(out)).mode & 0o777).toBe(0o600);
    expect(progress()).toMatch(/^Collecting the configuration \(secrets redacted\)\.\.\.\nCollecting the daemon logs\.\.\./);
    expect(progress()).toContain('Collecting the logs of sensor...');

    const files = unzip(await fs.readFile(out));
    expect([...files.keys()].sort()).toEqual([
      'support_bundle/check.json',
      'support_bundle/config/config.d/10-dps.toml',
      'support_bundle/config/config.d/20-broken.toml',
      'support_bundle/config/config.toml',
      'support_bundle/engine.error.txt',
      'support_bundle/iotedge-list.txt',
      'support_bundle/logs/daemons.log',
      'support_bundle/logs/sensor.log',
    ]);
    const everything = [...files.values()].map((b) => b.toString()).join('\n');
    for (const [what, secret] of Object.entries(SECRETS)) expect({ what, leaked: everything.includes(secret) }).toEqual({ what, leaked: false });
    const main = files.get('support_bundle/config/config.toml')!.toString();
    expect(main).toContain('connection_string = "<redacted>"');
    expect(main).toContain('"MODE=x"');
    expect(main).toContain('serveraddress = "r.io"');
    expect(files.get('support_bundle/config/config.d/20-broken.toml')!.toString()).toMatch(/not valid TOML .* withheld/);
    expect(files.get('support_bundle/logs/daemons.log')!.toString()).toBe(`daemon log since ${Date.UTC(2026, 0, 31, 10) / 1000}\n`);
    expect(files.get('support_bundle/engine.error.txt')!.toString()).toMatch(/Could not collect the container engine information: engine down/);
  });
});
