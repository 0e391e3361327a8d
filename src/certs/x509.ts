/**
 * X.509 certificates built with node-forge's ASN.1 and signed with Node's native crypto. forge
 * only models RSA keys, so the subject public key, the issuer name and the algorithm identifiers
 * are placed into its TBSCertificate directly: the same code then issues for RSA and EC keys.
 */
import { KeyObject, X509Certificate, createHash, randomBytes, sign as nativeSign } from 'node:crypto';
import * as forge from 'node-forge';

const { asn1 } = forge;

export type SubjectAltName = { dns: string } | { ip: string } | { uri: string };

/** Distinguished-name fields a subject may carry beyond CN (upstream's `[edge_ca.subject]`). */
export const SUBJECT_FIELDS = ['CN', 'C', 'ST', 'L', 'O', 'OU'] as const;

export interface CertificateSpec {
  commonName: string;
  /** More subject fields by short name (SUBJECT_FIELDS); a CN here replaces commonName. */
  subject?: Record<string, string>;
  subjectAltNames?: SubjectAltName[];
  notBefore: Date;
  notAfter: Date;
  /** A CA certificate (basicConstraints CA, keyCertSign), with this path length. */
  ca?: { pathLen?: number };
  extKeyUsage?: ('serverAuth' | 'clientAuth')[];
  publicKey: KeyObject;
  /** The issuer's certificate (PEM, first one used); self-signed when absent. */
  issuerCertPem?: string;
  /** The issuer's private key, or the subject's own for a self-signed certificate. */
  signingKey: KeyObject;
}

const OID = {
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
};

/** Only used so that forge can lay out the TBSCertificate; replaced by the real key. */
const PLACEHOLDER_KEY = forge.pki.setRsaPublicKey(new forge.jsbn.BigInteger('3'), new forge.jsbn.BigInteger('65537'));

export function issueCertificate(spec: CertificateSpec): string {
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serialNumber();
  cert.validity.notBefore = spec.notBefore;
  cert.validity.notAfter = spec.notAfter;
  const extra = Object.entries(spec.subject ?? {});
  const subject = [
    ...(spec.subject?.CN === undefined ? [{ shortName: 'CN', value: spec.commonName }] : []),
    ...extra.map(([shortName, value]) => ({ shortName, value })),
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.publicKey = PLACEHOLDER_KEY;

  const extensions: object[] = [];
  if (spec.ca) {
    const pathLen = spec.ca.pathLen === undefined ? {} : { pathLenConstraint: spec.ca.pathLen };
    extensions.push({ name: 'basicConstraints', cA: true, critical: true, ...pathLen });
    extensions.push({ name: 'keyUsage', critical: true, digitalSignature: true, keyCertSign: true, cRLSign: true });
  } else {
    extensions.push({ name: 'basicConstraints', cA: false });
    extensions.push({ name: 'keyUsage', critical: true, digitalSignature: true, keyEncipherment: true });
  }
  if (spec.extKeyUsage?.length) {
    extensions.push({ name: 'extKeyUsage', ...Object.fromEntries(spec.extKeyUsage.map((u) => [u, true])) });
  }
  if (spec.subjectAltNames?.length) {
    extensions.push({
      name: 'subjectAltName',
      altNames: spec.subjectAltNames.map((n) =>
        'dns' in n ? { type: 2, value: n.dns } : 'ip' in n ? { type: 7, ip: n.ip } : { type: 6, value: n.uri },
      ),
    });
  }
  cert.setExtensions(extensions);

  const sigAlg = signatureAlgorithm(spec.signingKey);
  cert.siginfo.algorithmOid = sigAlg.oid;
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  const fields = tbs.value as forge.asn1.Asn1[];
  // [0]version, serial, signature, issuer, validity, subject, subjectPublicKeyInfo, [3]extensions
  fields[2] = algorithmIdentifier(sigAlg.oid, sigAlg.nullParams);
  const issuer = spec.issuerCertPem ? parseIssuer(spec.issuerCertPem) : undefined;
  if (issuer) fields[3] = issuer.subject;
  const spki = spec.publicKey.export({ type: 'spki', format: 'der' });
  fields[6] = asn1.fromDer(forge.util.createBuffer(spki.toString('binary')));
  const extensionList = ((fields[7]).value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  extensionList.push(extension(OID.subjectKeyIdentifier, octets(keyIdentifier(spec.publicKey))));
  const authorityKey = issuer ? issuer.keyId : keyIdentifier(spec.publicKey);
  extensionList.push(
    extension(
      OID.authorityKeyIdentifier,
      asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
        asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, authorityKey.toString('binary')),
      ]),
    ),
  );

  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = nativeSign('sha256', tbsDer, spec.signingKey);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs,
    algorithmIdentifier(sigAlg.oid, sigAlg.nullParams),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\x00' + signature.toString('binary')),
  ]);
  return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(certificate).getBytes() }, { maxline: 64 }).replace(/\r\n/g, '\n');
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // positive
  bytes[0] |= 0x10; // no leading zero byte to strip
  return bytes.toString('hex');
}

function signatureAlgorithm(key: KeyObject): { oid: string; nullParams: boolean } {
  if (key.asymmetricKeyType === 'rsa') return { oid: OID.sha256WithRSA, nullParams: true };
  if (key.asymmetricKeyType === 'ec') return { oid: OID.ecdsaWithSha256, nullParams: false };
  throw new Error(`cannot sign certificates with a ${key.asymmetricKeyType} key`);
}

function algorithmIdentifier(oid: string, nullParams: boolean): forge.asn1.Asn1 {
  const value = [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes())];
  if (nullParams) value.push(asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''));
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, value);
}

function extension(oid: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes()),
  ]);
}

function octets(data: Buffer): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, data.toString('binary'));
}

/** RFC 5280 method 1: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  let bits: Buffer;
  if (publicKey.asymmetricKeyType === 'rsa') {
    bits = publicKey.export({ type: 'pkcs1', format: 'der' });
  } else {
    const jwk = publicKey.export({ format: 'jwk' });
    bits = Buffer.concat([Buffer.from([0x04]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  }
  return createHash('sha1').update(bits).digest();
}

/** The issuer's subject name as encoded in its certificate, and its key identifier. */
function parseIssuer(pem: string): { subject: forge.asn1.Asn1; keyId: Buffer } {
  const der = forge.pem.decode(pem).find((m) => m.type === 'CERTIFICATE');
  if (!der) throw new Error('the issuer certificate is not PEM');
  const parsed = asn1.fromDer(der.body);
  const tbs = (parsed.value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const hasVersion = tbs[0].tagClass === asn1.Class.CONTEXT_SPECIFIC;
  const subject = tbs[hasVersion ? 5 : 4];
  return { subject, keyId: keyIdentifier(new X509Certificate(pem).publicKey) };
}

/** Every PEM certificate in a text, in order. */
export function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => c + '\n') ?? [];
}

export function privateKeyPem(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }).toString();
}
