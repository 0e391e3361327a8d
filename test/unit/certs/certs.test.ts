import { X509Certificate, createPrivateKey } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EdgeCa } from '../../../src/certs/edge-ca';
import { KeyPool, generateKey } from '../../../src/certs/keygen';
import { ModuleCertificates } from '../../../src/certs/module-certs';
import { buildTrustBundle } from '../../../src/certs/trust-bundle';
import { issueCertificate, splitPem } from '../../../src/certs/x509';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';

const DAY = 86_400_000;

describe('certificates', () => {
  let home: string;
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  beforeEach(async () => (home = await fs.mkdtemp(path.join(os.tmpdir(), 'certs-'))));
  afterEach(() => fs.rm(home, { recursive: true, force: true }));

  const noPool = { take: () => generateKey('ec-p256'), close: () => undefined };

  it('creates a quickstart Edge CA (90 days, CA, 0600 key) and renews it at 80% of its life', async () => {
    const ca = new EdgeCa({ home, deviceId: 'dev1', clock, logger: memoryLogger() });
    expect(await ca.ensure()).toBe(true);
    const first = await ca.current();
    expect(first.cert.subject).toBe('CN=aziot-edge CA dev1');
    expect(first.cert.ca).toBe(true);
    expect(Date.parse(first.cert.validTo) - Date.parse(first.cert.validFrom)).toBe(90 * DAY);
    expect((await fs.stat(path.join(home, 'certs', 'edge-ca.key.pem'))).mode & 0o777).toBe(0o600);

    // Reloaded from disk by a new instance: not recreated.
    const again = new EdgeCa({ home, deviceId: 'dev1', clock, logger: memoryLogger() });
    expect(await again.ensure()).toBe(false);
    expect((await again.current()).cert.fingerprint256).toBe(first.cert.fingerprint256);

    await clock.advance(71 * DAY);
    expect(await again.ensure()).toBe(false);
    await clock.advance(2 * DAY);
    expect(await again.ensure()).toBe(true);
    expect((await again.current()).cert.fingerprint256).not.toBe(first.cert.fingerprint256);
  });

  it('issues server certificates as upstream: CN, SANs (IP or DNS, module without $), serverAuth, chain', async () => {
    const ca = new EdgeCa({ home, deviceId: 'dev1', clock, logger: memoryLogger(), settings: { auto_generated_edge_ca_expiry_days: 30 } });
    const certs = new ModuleCertificates(ca, noPool, clock);
    const issued = await certs.server('$edgeHub', 'myhost.local');
    const [leafPem, caPem] = splitPem(issued.certificate);
    const leaf = new X509Certificate(leafPem);
    const caCert = new X509Certificate(caPem);
    expect(leaf.subject).toBe('CN=myhost.local');
    expect(leaf.subjectAltName).toBe('DNS:myhost.local, DNS:edgeHub');
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']);
    expect(leaf.checkIssued(caCert)).toBe(true);
    expect(leaf.verify(caCert.publicKey)).toBe(true);
    expect(leaf.checkPrivateKey(createPrivateKey(issued.privateKey))).toBe(true);
    // Capped by the CA's own expiry (30 days) below the 90-day maximum.
    expect(issued.expiration).toBe(new Date(clock.now() + 30 * DAY).toISOString());

    const ip = new X509Certificate(splitPem((await certs.server('edgeHub', '10.1.2.3', new Date(clock.now() + DAY).toISOString())).certificate)[0]);
    expect(ip.subjectAltName).toBe('IP Address:10.1.2.3, DNS:edgeHub');
    await expect(certs.server('m', 'h', '2000-01-01T00:00:00Z')).rejects.toThrow(/in the past/);
    await expect(certs.server('m', 'h', 'soon')).rejects.toThrow(/not an ISO 8601/);
  });

  it('issues identity certificates (clientAuth, azureiot URI) of at most 2 hours', async () => {
    const ca = new EdgeCa({ home, deviceId: 'dev1', clock, logger: memoryLogger() });
    const issued = await new ModuleCertificates(ca, noPool, clock).identity('mod1', 'hub.net', 'dev1');
    const leaf = new X509Certificate(splitPem(issued.certificate)[0]);
    expect(leaf.subject).toBe('CN=mod1');
    expect(leaf.subjectAltName).toBe('URI:azureiot://hub.net/devices/dev1/modules/mod1');
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(Date.parse(issued.expiration) - clock.now()).toBe(2 * 3_600_000);
  });

  it('uses a preloaded Edge CA (an EC key works too) and refuses a key of another certificate', async () => {
    const pair = generateKey('ec-p256');
    const now = new Date(clock.now());
    const caPem = issueCertificate({ commonName: 'my CA', ca: {}, notBefore: now, notAfter: new Date(+now + DAY), publicKey: pair.publicKey, signingKey: pair.privateKey });
    await fs.writeFile(path.join(home, 'ca.pem'), caPem);
    await fs.writeFile(path.join(home, 'ca.key'), pair.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const settings = { cert: `file://${home}/ca.pem`, pk: `file://${home}/ca.key` };
    const ca = new EdgeCa({ home, deviceId: 'd', clock, logger: memoryLogger(), settings });
    const leaf = new X509Certificate(splitPem((await new ModuleCertificates(ca, noPool, clock).server('m', 'm')).certificate)[0]);
    expect(leaf.verify(new X509Certificate(caPem).publicKey)).toBe(true);

    await fs.writeFile(path.join(home, 'other.key'), generateKey('ec-p256').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const wrong = new EdgeCa({ home, deviceId: 'd', clock, logger: memoryLogger(), settings: { ...settings, pk: `file://${home}/other.key` } });
    await expect(wrong.ensure()).rejects.toThrow(/does not belong/);
    expect(() => new EdgeCa({ home, deviceId: 'd', logger: memoryLogger(), settings: { cert: settings.cert } })).toThrow(/both cert and pk/);
  });

  it('builds a trust bundle without duplicates or invalid certificates', async () => {
    const ca = new EdgeCa({ home, deviceId: 'd', clock, logger: memoryLogger() });
    const pem = (await ca.current()).chainPem;
    const bundle = buildTrustBundle(pem + pem, 'garbage', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', pem);
    expect(splitPem(bundle)).toHaveLength(1);
  });

  it('keeps a pool of RSA keys filled in the background', async () => {
    const pool = new KeyPool('rsa-2048', 1);
    await pool.warm();
    expect(pool.available).toBeGreaterThanOrEqual(1);
    expect(pool.take().privateKey.asymmetricKeyType).toBe('rsa');
    pool.close();
  });
});
