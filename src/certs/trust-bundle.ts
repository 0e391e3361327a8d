/**
 * The trust bundle modules receive: `trust_bundle_cert` (the user's roots) plus the Edge CA, each
 * certificate once, invalid ones dropped, as upstream's workload API answers `/trust-bundle`.
 */
import { X509Certificate } from 'node:crypto';
import { splitPem } from './x509';

export function buildTrustBundle(...sources: (string | undefined)[]): string {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const source of sources) {
    for (const pem of splitPem(source ?? '')) {
      try {
        new X509Certificate(pem);
      } catch {
        continue;
      }
      const key = pem.replace(/\s+/g, '');
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(pem);
    }
  }
  return out.join('');
}
