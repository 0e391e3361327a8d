/** Host time against a reference clock, and the expiry of the Edge CA and identity certificates. */
import { X509Certificate } from 'node:crypto';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { error, ignored, ok, warning, type Checker, type Facts } from '../types';

export const hostLocalTime: Checker = {
  id: 'host-local-time',
  description: 'host time is close to reference time',
  async run(facts) {
    let reference: Date;
    try {
      reference = await facts.referenceTime();
    } catch (e) {
      return warning(`Could not query the reference time server: ${(e as Error).message}. Check the time with \`timedatectl\`.`);
    }
    const skew = Math.abs(reference.getTime() - facts.now().getTime()) / 1000;
    return skew > 10 ? error(`Time on the device is out of sync with the reference by ${Math.round(skew)} s. Check NTP (\`timedatectl\`): tokens and certificates depend on it.`) : ok;
  },
};

const DAY = 24 * 3600 * 1000;

async function expiry(facts: Facts, file: string, what: string) {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(await facts.readFile(file));
  } catch (e) {
    return error(`Could not read the ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const left = new Date(cert.validTo).getTime() - facts.now().getTime();
  if (left <= 0) return error(`The ${what} ${file} expired on ${new Date(cert.validTo).toISOString()}.`);
  if (left < 7 * DAY) return warning(`The ${what} ${file} expires in ${Math.ceil(left / DAY)} day(s), on ${new Date(cert.validTo).toISOString()}.`);
  return ok;
}

function filePath(uri: string): string {
  return uri.startsWith('file://') ? fileURLToPath(uri) : uri;
}

export const certificatesQuickstart: Checker = {
  id: 'certificates-quickstart',
  description: 'production readiness: Edge CA certificate',
  needs: ['aziot-edged-config-well-formed'],
  async run(facts) {
    const ca = (await facts.config()).edge_ca;
    if (ca?.cert) return ok;
    return warning(
      'The Edge device is using self-signed automatically-generated development certificates.\nThey will expire and be renewed automatically, but modules and downstream devices must trust the new ones.\nPlease see https://aka.ms/iotedge-prod-checklist-certs for best practices.',
    );
  },
};

export const edgeCaExpiry: Checker = {
  id: 'certificates-expiry',
  description: 'Edge CA certificate expiry',
  needs: ['aziot-edged-config-well-formed'],
  async run(facts) {
    const ca = (await facts.config()).edge_ca;
    if (ca?.cert) return expiry(facts, filePath(ca.cert), 'Edge CA certificate');
    const quickstart = path.join(facts.edgedHome, 'certs', 'edge-ca.cert.pem');
    try {
      await facts.readFile(quickstart);
    } catch {
      return ignored; // not created yet: edged makes it when it first needs it
    }
    const r = await expiry(facts, quickstart, 'quickstart Edge CA certificate');
    // edged renews the quickstart CA itself (at start, then hourly while it runs): an old one is news, not a fault.
    const threshold = typeof ca?.auto_renew?.threshold === 'string' ? ca.auto_renew.threshold : '80%';
    return r.kind === 'error'
      ? warning(
          `${r.message} edged renews it by itself once ${threshold} of its life has passed (it checks at start and every hour while it runs), so an expired one means edged is not running or could not renew it: see \`iotedge system logs\`.`,
        )
      : r;
  },
};

export const identityCertificateExpiry: Checker = {
  id: 'identity-certificate-expiry',
  description: 'production readiness: identity certificates expiry',
  needs: ['aziot-edged-config-well-formed'],
  async run(facts) {
    const p = (await facts.config()).provisioning;
    const cert =
      p?.source === 'manual' && 'authentication' in p && p.authentication.method === 'x509'
        ? p.authentication.identity_cert
        : p?.source === 'dps' && p.attestation.method === 'x509'
          ? p.attestation.identity_cert
          : undefined;
    return typeof cert === 'string' ? expiry(facts, filePath(cert), 'device identity certificate') : ignored;
  },
};
