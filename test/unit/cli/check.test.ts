import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCommand } from '../../../src/cli/commands/check';
import type { FactDeps } from '../../../src/cli/check/facts';
import { healthyDeps, HEALTHY_CONFIG, HEALTHY_DAEMON_JSON } from '../../helpers/fake-check-facts';
import { capturedContext } from '../../helpers/cli';

function ctx() {
  const { ctx: c, stdout } = capturedContext({ now: () => Date.UTC(2026, 0, 31, 12), host: 'unix:///x.sock' });
  return { c, text: stdout };
}

const args = { output: 'text' as const, warningsAsErrors: false, ntpServer: 'x' };

describe('iotedge check', () => {
  let dir: string;
  // A CA certificate valid from 2026-01-01 for ten years, made by node-forge at test time.
  async function writeCa(notAfter: Date) {
    const forge = await import('node-forge');
    const keys = forge.pki.rsa.generateKeyPair(1024);
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date(Date.UTC(2026, 0, 1));
    cert.validity.notAfter = notAfter;
    cert.setSubject([{ name: 'commonName', value: 'ca' }]);
    cert.setIssuer([{ name: 'commonName', value: 'ca' }]);
    cert.sign(keys.privateKey);
    await fs.mkdir(path.join(dir, 'certs'), { recursive: true });
    await fs.writeFile(path.join(dir, 'certs/ca.pem'), forge.pki.certificateToPem(cert));
  }
  const config = (text: string) => fs.writeFile(path.join(dir, 'config.toml'), text.replace(/file:\/\/\/certs/g, `file://${dir}/certs`));

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'check-'));
    await fs.writeFile(path.join(dir, 'daemon.json'), HEALTHY_DAEMON_JSON);
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('uses upstream\'s check ids (edgelet/iotedge check/checks and aziotctl), in its order', () => {
    const { sections } = require('../../../src/cli/check/sections') as typeof import('../../../src/cli/check/sections');
    expect(sections.flatMap((s) => s.checks.map((c) => c.id))).toEqual([
      'aziot-edged-config-well-formed',
      'config-up-to-date',
      'container-engine-uri',
      'parent_hostname',
      'connect-management-uri',
      'hostname',
      'certificates-quickstart',
      'certificates-expiry',
      'identity-certificate-expiry',
      'container-engine-dns',
      'container-engine-ipv6',
      'container-engine-is-moby',
      'container-engine-logrotate',
      'container-engine-disk-space', // this appliance's own
      'check-agent-image',
      'host-local-time',
      'host-connect-dps-endpoint',
      'host-connect-iothub-amqp',
      'host-connect-iothub-https',
      'host-connect-iothub-mqtt',
    ]);
  });

  it('prints upstream presentation for a healthy device', async () => {
    await config(HEALTHY_CONFIG);
    await writeCa(new Date(Date.UTC(2036, 0, 1)));
    const { c, text } = ctx();
    await checkCommand(args, c, healthyDeps(dir));
    expect(text()).toBe(
      [
        'Configuration checks',
        '--------------------',
        '√ aziot-edged configuration is well-formed - OK',
        '√ configuration up-to-date with config.toml - OK',
        '√ container engine is installed and functional - OK',
        '√ configuration has correct URIs for daemon mgmt endpoint - OK',
        '√ configuration has correct hostname - OK',
        '√ production readiness: Edge CA certificate - OK',
        '√ Edge CA certificate expiry - OK',
        '√ DNS server - OK',
        '√ production readiness: container engine - OK',
        '√ production readiness: logs policy - OK',
        '√ disk space where the container engine keeps its data - OK',
        '√ Agent image is present or can be pulled - OK',
        '',
        'Connectivity checks',
        '-------------------',
        '√ host time is close to reference time - OK',
        '√ host can connect to and perform TLS handshake with iothub AMQP port - OK',
        '√ host can connect to and perform TLS handshake with iothub HTTPS / WebSockets port - OK',
        '√ host can connect to and perform TLS handshake with iothub MQTT port - OK',
        '',
        '16 check(s) succeeded.',
        '',
      ].join('\n'),
    );
  });

  it('warns with the reason when offline, and errors fail the command', async () => {
    await config(HEALTHY_CONFIG.replace(/\[edge_ca\][^]*$/, ''));
    await fs.writeFile(path.join(dir, 'daemon.json'), '{}');
    const offline = new Error('ENOTFOUND (the name does not resolve: offline or no DNS?)');
    const deps: FactDeps = healthyDeps(dir, {
      tlsConnect: async () => Promise.reject(offline),
      referenceTime: async () => Promise.reject(new Error('no answer from pool.ntp.org within 2 s')),
      diskSpace: async () => ({ freeBytes: 100 * 1024 ** 2, totalBytes: 10 * 1024 ** 3 }),
    });
    const { c, text } = ctx();
    await expect(checkCommand(args, c, deps)).rejects.toThrow('1 check(s) raised errors');
    const out = text();
    expect(out).toContain('‼ host can connect to and perform TLS handshake with iothub MQTT port - Warning\n    Could not connect to hub.azure-devices.net:8883: ENOTFOUND');
    expect(out).toContain('‼ DNS server - Warning\n    Container engine is not configured with DNS server setting');
    expect(out).toContain('‼ production readiness: logs policy - Warning');
    expect(out).toContain('× disk space where the container engine keeps its data - Error\n    Only 0.1 GiB free');
    expect(out).toContain('‼ host time is close to reference time - Warning\n    Could not query the reference time server');
    expect(out).toMatch(/\d+ check\(s\) raised warnings\. Re-run with --verbose for more details\.\n1 check\(s\) raised errors\. Re-run with --verbose for more details\.\n$/);
  });

  it("in the snap, the DNS and logs-policy hints name the snap option, not the host's daemon.json", async () => {
    await config(HEALTHY_CONFIG.replace(/\[edge_ca\][^]*$/, ''));
    await fs.writeFile(path.join(dir, 'daemon.json'), '{}');
    const { c, text } = ctx();
    await checkCommand(args, c, healthyDeps(dir, { inSnap: true }));
    expect(text()).toContain(`Set "dns" with: sudo snap set azure-iot-edge docker.daemon='{...}'`);
    expect(text()).toContain(`Set "log-opts" with: sudo snap set azure-iot-edge docker.daemon='{...}'`);
    expect(text()).not.toContain('/etc/docker/daemon.json');
    expect(text()).not.toContain(`${dir}/daemon.json`);
  });

  it('stops after a fatal configuration error and never prints a secret', async () => {
    const secret = 'c2VjcmV0c2VjcmV0c2VjcmV0';
    await config(`[provisioning]\nsource = "manual"\nconnection_string = "HostName=h;DeviceId=d;SharedAccessKey=${secret}!"\n`);
    const { c, text } = ctx();
    await expect(checkCommand({ ...args, output: 'json' }, c, healthyDeps(dir))).rejects.toThrow('1 check(s) raised errors');
    const json = JSON.parse(text());
    expect(Object.keys(json.checks)).toEqual(['aziot-edged-config-well-formed']);
    expect(json.checks['aziot-edged-config-well-formed'].result).toBe('Fatal');
    expect(json.checks['aziot-edged-config-well-formed'].details[0]).toMatch(/config\.toml:3: provisioning\.connection_string: the SharedAccessKey/);
    expect(text()).not.toContain(secret);
  });

  it('skips the checks that need a failed one, and --warnings-as-errors fails on warnings', async () => {
    await config(HEALTHY_CONFIG);
    await writeCa(new Date(Date.UTC(2026, 1, 3)));
    const { c, text } = ctx();
    const deps = healthyDeps(dir, { engineFor: () => ({ info: async () => Promise.reject(new Error('connect ENOENT /x.sock')), hasImage: async () => true }) });
    await expect(checkCommand({ ...args, verbose: true }, c, deps)).rejects.toThrow('1 check(s) raised errors');
    expect(text()).toContain('× container engine is installed and functional - Error');
    expect(text()).toContain('        caused by: connect ENOENT /x.sock');
    // fatal: nothing after it
    expect(text()).not.toContain('DNS server');

    const second = ctx();
    await expect(checkCommand({ ...args, warningsAsErrors: true }, second.c, healthyDeps(dir))).rejects.toThrow('1 check(s) raised warnings (--warnings-as-errors)');
    expect(second.text()).toContain('‼ Edge CA certificate expiry - Warning\n    The Edge CA certificate');
  });
});
