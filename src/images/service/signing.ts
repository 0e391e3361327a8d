/**
 * Time-limited download URLs the service signs itself (when the store has no presigned GET):
 * HMAC-SHA256 over the image id and the expiry, keyed from the bearer token, so every instance
 * sharing the token verifies every other's URLs. Checked in constant time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export class UrlSigner {
  private readonly key: Buffer;

  constructor(token: string) {
    this.key = createHmac('sha256', token).update('azure-iot-edge-image download url v1').digest();
  }

  sign(id: string, expiresAtSeconds: number): string {
    return createHmac('sha256', this.key).update(`${id}\n${expiresAtSeconds}`).digest('base64url');
  }

  verify(id: string, expires: string, signature: string, nowMs: number): 'ok' | 'expired' | 'bad' {
    if (!/^\d{1,12}$/.test(expires) || typeof signature !== 'string') return 'bad';
    const want = Buffer.from(this.sign(id, Number(expires)));
    const got = Buffer.from(signature);
    if (got.length !== want.length || !timingSafeEqual(got, want)) return 'bad';
    return Number(expires) * 1000 < nowMs ? 'expired' : 'ok';
  }
}
