/**
 * Certificates the workload API issues to modules, signed by the Edge CA as upstream does:
 * server certificates (CN and SAN = the requested common name, as IP or DNS name, plus the module
 * name without `$`; serverAuth) and identity certificates (CN = module id, SAN = its azureiot://
 * URI; clientAuth). Each comes with a fresh private key and the CA chain.
 */
import { isIP } from 'node:net';
import { BadRequestError } from '../errors';
import { Clock, systemClock } from '../util/clock';
import type { EdgeCa } from './edge-ca';
import type { KeySource } from './keygen';
import { SubjectAltName, issueCertificate, privateKeyPem } from './x509';

export interface IssuedCertificate {
  /** The certificate, then the Edge CA chain (PEM). */
  certificate: string;
  /** PKCS#8 PEM. */
  privateKey: string;
  /** ISO 8601. */
  expiration: string;
}

/** Upstream's limits: server certificates 90 days, identity certificates 2 hours. */
export const SERVER_CERT_MAX_MS = 90 * 86_400_000;
export const IDENTITY_CERT_MAX_MS = 2 * 3_600_000;

export class ModuleCertificates {
  private readonly clock: Clock;

  constructor(
    private readonly ca: EdgeCa,
    private readonly keys: KeySource,
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  async server(moduleId: string, commonName: string, expiration?: string): Promise<IssuedCertificate> {
    if (typeof commonName !== 'string' || !commonName.trim()) {
      throw new BadRequestError('commonName is missing', { hint: 'send the host name the module serves on as commonName' });
    }
    const sans: SubjectAltName[] = [isIP(commonName) ? { ip: commonName } : { dns: commonName }];
    const moduleName = moduleId.replace(/\$/g, '');
    if (moduleName && moduleName !== commonName) sans.push({ dns: moduleName });
    return this.issue(commonName, sans, 'serverAuth', expiration, SERVER_CERT_MAX_MS);
  }

  async identity(moduleId: string, hubHostname: string, deviceId: string, expiration?: string): Promise<IssuedCertificate> {
    const uri = `azureiot://${hubHostname}/devices/${deviceId}/modules/${moduleId}`;
    return this.issue(moduleId, [{ uri }], 'clientAuth', expiration, IDENTITY_CERT_MAX_MS);
  }

  private async issue(
    commonName: string,
    sans: SubjectAltName[],
    usage: 'serverAuth' | 'clientAuth',
    expiration: string | undefined,
    maxMs: number,
  ): Promise<IssuedCertificate> {
    const ca = await this.ca.current();
    const now = this.clock.now();
    let notAfter = Math.min(now + maxMs, Date.parse(ca.cert.validTo));
    if (expiration !== undefined) {
      const requested = Date.parse(expiration);
      if (Number.isNaN(requested)) {
        throw new BadRequestError(`expiration "${expiration}" is not an ISO 8601 date-time`, { hint: 'send e.g. 2030-01-01T00:00:00Z' });
      }
      if (requested <= now) throw new BadRequestError('expiration is in the past', { hint: 'ask for an expiration in the future' });
      notAfter = Math.min(notAfter, requested);
    }
    const pair = this.keys.take();
    const certificate = issueCertificate({
      commonName,
      subjectAltNames: sans,
      extKeyUsage: [usage],
      notBefore: new Date(now),
      notAfter: new Date(notAfter),
      publicKey: pair.publicKey,
      issuerCertPem: ca.chainPem,
      signingKey: ca.key,
    });
    return {
      certificate: certificate + ca.chainPem,
      privateKey: privateKeyPem(pair.privateKey),
      // X.509 keeps whole seconds.
      expiration: new Date(Math.floor(notAfter / 1000) * 1000).toISOString(),
    };
  }
}
