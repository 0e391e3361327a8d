/**
 * Key pairs come from Node's native crypto (OpenSSL), never from node-forge's pure-JS RSA, which
 * is orders of magnitude slower. RSA-2048 (what upstream issues module certificates with) still
 * takes ~100 ms natively, so a small pool is kept filled in the background, off the event loop.
 */
import { KeyObject, generateKeyPair, generateKeyPairSync } from 'node:crypto';

export type KeyAlgorithm = 'rsa-2048' | 'ec-p256';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateKey(algorithm: KeyAlgorithm): KeyPair {
  return algorithm === 'ec-p256'
    ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function generateKeyAsync(algorithm: KeyAlgorithm): Promise<KeyPair> {
  return new Promise((resolve, reject) => {
    const done = (err: Error | null, publicKey: KeyObject, privateKey: KeyObject) =>
      err ? reject(err) : resolve({ publicKey, privateKey });
    if (algorithm === 'ec-p256') generateKeyPair('ec', { namedCurve: 'P-256' }, done);
    else generateKeyPair('rsa', { modulusLength: 2048 }, done);
  });
}

export interface KeySource {
  take(): KeyPair;
  close(): void;
}

/** Hands out fresh key pairs; keeps `size` generated ahead in libuv's thread pool. */
export class KeyPool implements KeySource {
  private readonly ready: KeyPair[] = [];
  private filling = false;
  private closed = false;

  constructor(
    readonly algorithm: KeyAlgorithm,
    private readonly size = 3,
  ) {
    this.refill();
  }

  /** A pooled key when one is ready, else one generated now. Each key is used once. */
  take(): KeyPair {
    const key = this.ready.shift() ?? generateKey(this.algorithm);
    this.refill();
    return key;
  }

  get available(): number {
    return this.ready.length;
  }

  /** Resolves once the pool is full (for tests and benchmarks). */
  async warm(): Promise<void> {
    while (!this.closed && this.ready.length < this.size) this.add(await generateKeyAsync(this.algorithm));
  }

  private add(key: KeyPair): void {
    if (!this.closed && this.ready.length < this.size) this.ready.push(key);
  }

  close(): void {
    this.closed = true;
  }

  private refill(): void {
    if (this.filling || this.closed || this.size === 0) return;
    this.filling = true;
    const next = async () => {
      while (!this.closed && this.ready.length < this.size) {
        const key = await generateKeyAsync(this.algorithm);
        this.add(key);
      }
    };
    next()
      .catch(() => undefined)
      .finally(() => (this.filling = false));
  }
}
