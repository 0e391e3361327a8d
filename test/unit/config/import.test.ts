import { promises as fs, existsSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as TOML from '@iarna/toml';
import { importConfig, importText, type ImportFs } from '../../../src/config/import/run';
import { writeFileAtomic } from '../../../src/util/atomic-write';
import { caseNames, CASES_DIR, readCase } from './cases';

const noKey = async () => false;
const withOld = caseNames((dir) => existsSync(path.join(dir, 'old-config.yaml')));

describe('iotedge config import (1.1 config.yaml -> super-config)', () => {
  it('covers every upstream case that has an old config.yaml', () => {
    expect(withOld.length).toBeGreaterThanOrEqual(8);
  });

  it.each(withOld)('%s: the output parses to the same data as the case super-config.toml', async (name) => {
    const out = await importText(readCase(name, 'old-config.yaml'), `${name}/old-config.yaml`, noKey);
    expect(TOML.parse(out)).toEqual(TOML.parse(readCase(name, 'super-config.toml')));
  });

  it('imports the 1.1 master encryption key when it exists under the old home', async () => {
    const yaml = readCase('manual-connection-string', 'old-config.yaml');
    const seen: string[] = [];
    const out = await importText(yaml, 'c.yaml', async (p) => (seen.push(p), true));
    expect(seen).toEqual(['/var/lib/iotedge/hsm/enc_keys/edgelet-masterWt5mT2xpO72EPKlt2Tt0Sq4uJCrMvfl2rzzKRB3pnyo_.enc.key']);
    expect(TOML.parse(out).imported_master_encryption_key).toBe(seen[0]);
  });

  it('maps reprovisioning flags, TPM and X.509 DPS, custom networks, watchdog and content trust', async () => {
    const yaml = `
provisioning:
  source: dps
  global_endpoint: https://global.azure-devices-provisioning.net
  scope_id: scope
  registration_id: reg
  always_reprovision_on_startup: true
agent:
  name: edgeAgent
  type: docker
  env:
    RuntimeLogLevel: debug
    Port: 8080
  config:
    image: img:1
    createOptions: '{"HostConfig":{"Privileged":true}}'
hostname: dev
parent_hostname: parent
listen:
  management_uri: unix:///a.sock
  workload_uri: unix:///b.sock
  min_tls_version: TLS1_2
watchdog:
  max_retries: 3
moby_runtime:
  uri: unix:///var/run/docker.sock
  network:
    name: edge-net
    ipv6: true
    ipam:
      config:
        - subnet: 10.9.0.0/16
  content_trust:
    ca_certs:
      myreg.io: /certs/myreg.pem
`;
    const out = TOML.parse(await importText(yaml, 'c.yaml', noKey)) as Record<string, any>;
    expect(out.auto_reprovisioning_mode).toBe('AlwaysOnStartup');
    expect(out.provisioning).toEqual({ source: 'dps', global_endpoint: 'https://global.azure-devices-provisioning.net/', id_scope: 'scope', attestation: { method: 'tpm', registration_id: 'reg' } });
    expect(out.parent_hostname).toBe('parent');
    expect(out.agent.env).toEqual({ RuntimeLogLevel: 'debug', Port: '8080' });
    expect(out.agent.config.createOptions).toEqual({ HostConfig: { Privileged: true } });
    expect(out.listen).toEqual({ management_uri: 'unix:///a.sock', workload_uri: 'unix:///b.sock', min_tls_version: 'tls1.2' });
    expect(out.watchdog.max_retries).toBe(3);
    expect(out.moby_runtime.network).toEqual({ name: 'edge-net', ipv6: true, ipam: { config: [{ subnet: '10.9.0.0/16' }] } });
    expect(out.moby_runtime.content_trust).toEqual({ ca_certs: { 'myreg.io': 'file:///certs/myreg.pem' } });
    expect(out.edge_ca).toEqual({ auto_generated_edge_ca_expiry_days: 90 });

    const x509 = `provisioning:\n  source: dps\n  global_endpoint: https://g.example/\n  scope_id: s\n  attestation:\n    method: x509\n    identity_cert: file:///c.pem\n    identity_pk: file:///k.pem\n  dynamic_reprovisioning: true\n`;
    const x = TOML.parse(await importText(x509, 'c.yaml', noKey)) as Record<string, any>;
    expect(x.auto_reprovisioning_mode).toBe('Dynamic');
    expect(x.provisioning.attestation).toEqual({ method: 'x509', identity_cert: 'file:///c.pem', identity_pk: 'file:///k.pem' });
  });

  it('refuses what upstream refuses, naming the key and not the secret', async () => {
    const secret = 'YXppb3QtaWRlbnRpdHktc2VydmljZXxhemlvdC1pZGU=';
    await expect(importText('provisioning:\n  source: external\n  endpoint: http://x\n', 'c.yaml', noKey)).rejects.toThrow(/external provisioning is not supported/);
    const cs = `provisioning:\n  source: manual\n  device_connection_string: 'HostName=h;DeviceId=d;SharedAccessKey=${secret}'\n`;
    await expect(importText(`${cs}listen:\n  management_uri: fd://other.socket\n`, 'c.yaml', noKey)).rejects.toThrow(/listen\.management_uri: unexpected socket unit "other\.socket"/);
    const bad = `provisioning:\n  source: manual\n  device_connection_string: 'HostName=h;SharedAccessKey=${secret}'\n`;
    const e = await importText(bad, 'c.yaml', noKey).catch((x: Error) => x);
    expect((e as Error).message).toMatch(/no DeviceId/);
    expect((e as Error).message).not.toContain(secret);
    const yamlError = await importText(`provisioning: [\n  device_connection_string: "${secret}`, 'c.yaml', noKey).catch((x: Error) => x);
    expect((yamlError as Error).message).toMatch(/^could not parse c\.yaml:\d+/);
    expect((yamlError as Error).message).not.toContain(secret);
  });

  describe('on disk', () => {
    let dir: string;
    const realFs: ImportFs = {
      readFile: (f) => fs.readFile(f, 'utf8'),
      exists: (f) => fs.access(f).then(() => true, () => false),
      writeFileAtomic,
    };
    beforeEach(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'import-'));
    });
    afterEach(() => fs.rm(dir, { recursive: true, force: true }));

    it('writes 0600, keeps the old file, and does not overwrite without force', async () => {
      const from = path.join(dir, 'config.yaml');
      const to = path.join(dir, 'config.toml');
      const old = readCase('manual-x509', 'old-config.yaml');
      await fs.writeFile(from, old);
      await importConfig({ from, to, force: false }, realFs);
      expect((await fs.stat(to)).mode & 0o777).toBe(0o600);
      expect(await fs.readFile(from, 'utf8')).toBe(old);
      await fs.writeFile(to, 'kept');
      await expect(importConfig({ from, to, force: false }, realFs)).rejects.toMatchObject({
        message: `${to} already exists: Azure IoT Edge has already been configured`,
        hint: expect.stringContaining('--force'),
      });
      expect(await fs.readFile(to, 'utf8')).toBe('kept');
      await importConfig({ from, to, force: true }, realFs);
      expect(TOML.parse(await fs.readFile(to, 'utf8'))).toEqual(TOML.parse(readCase('manual-x509', 'super-config.toml')));
      await expect(importConfig({ from: path.join(dir, 'none.yaml'), to, force: true }, realFs)).rejects.toThrow(/there is no old configuration/);
    });
  });
  void CASES_DIR;
});
