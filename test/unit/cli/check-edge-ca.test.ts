import { generateKeyPairSync } from 'node:crypto';
import { edgeCaExpiry } from '../../../src/cli/check/checks/time-certs';
import type { Facts } from '../../../src/cli/check/types';
import { issueCertificate } from '../../../src/certs/x509';
import type { SuperConfig } from '../../../src/config/types';

const DAY = 86_400_000;

function factsFor(edgeCa: SuperConfig['edge_ca'], notAfter: Date, now: Date): Facts {
  const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = issueCertificate({ commonName: 'aziot-edge CA d', ca: { pathLen: 0 }, notBefore: new Date(notAfter.getTime() - 90 * DAY), notAfter, publicKey: pair.publicKey, signingKey: pair.privateKey });
  const unexpected = () => {
    throw new Error('not used by this check');
  };
  return {
    configFile: '/c.toml',
    config: async () => ({ edge_ca: edgeCa }) as SuperConfig,
    readFile: async (f) => {
      if (f === '/home/certs/edge-ca.cert.pem') return pem;
      throw new Error(`unexpected read ${f}`);
    },
    edgedHome: '/home',
    now: () => now,
    configUpToDate: unexpected,
    engine: unexpected,
    engineProbe: unexpected,
    daemonJson: unexpected,
    machineHostname: unexpected,
    referenceTime: unexpected,
    diskSpace: unexpected,
    tlsConnect: unexpected,
    listModules: unexpected,
    inSnap: false,
  };
}

describe('certificates-expiry for the quickstart Edge CA', () => {
  it('an expired one is a warning that says edged renews it by itself while running, at the configured threshold', async () => {
    const r = await edgeCaExpiry.run(factsFor({ auto_renew: { threshold: '60%' } }, new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 0, 2))));
    expect(r).toEqual({
      kind: 'warning',
      message:
        'The quickstart Edge CA certificate /home/certs/edge-ca.cert.pem expired on 2026-01-01T00:00:00.000Z. edged renews it by itself once 60% of its life has passed (it checks at start and every hour while it runs), so an expired one means edged is not running or could not renew it: see `iotedge system logs`.',
    });
    expect((r as { message: string }).message).not.toMatch(/when it restarts/);
  });

  it('the default threshold is 80%', async () => {
    const r = await edgeCaExpiry.run(factsFor(undefined, new Date(Date.UTC(2026, 0, 1)), new Date(Date.UTC(2026, 0, 2))));
    expect((r as { message: string }).message).toMatch(/once 80% of its life has passed/);
  });
});
