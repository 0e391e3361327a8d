/**
 * The symmetric keys edged keeps, as upstream's keyd does for it: the device key, a random master
 * identity key (module keys are derived from it) and a random master encryption key (the workload
 * API's encrypt/decrypt). Each is a 0600 file under `<home>/keys`, written atomically, never logged.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BadRequestError, ConfigError, EdgeError } from '../errors';
import { writeFileAtomic } from '../util/atomic-write';
import { hmacSha256 } from './sas';

export const MASTER_IDENTITY_KEY = 'master-identity';
export const MASTER_ENCRYPTION_KEY = 'master-encryption';
export const DEVICE_KEY = 'device-id';
/** edged's 0600 copy of the 1.1 key `imported_master_encryption_key` names (upstream copies it for keyd). */
export const IMPORTED_MASTER_ENCRYPTION_KEY = 'imported-master-encryption';
/** AES-256: the size of a master encryption key, 1.1's included. */
const MASTER_ENCRYPTION_KEY_BYTES = 32;

/** Encryption scheme versions of keyd's ciphertexts; v2 (ciphertext then tag) is what we write. */
const V1 = 0x01;
const V2 = 0x02;
const TAG_LENGTH = 16;

export interface ModuleKeys {
  primary: Buffer;
  secondary: Buffer;
}

export class KeyStore {
  private readonly cache = new Map<string, Buffer>();
  /** First uses of a missing key in flight: concurrent callers share one creation, so one key. */
  private readonly creating = new Map<string, Promise<Buffer>>();

  private importing?: Promise<Buffer>;

  /**
   * importedMasterEncryptionKey: `imported_master_encryption_key`, the file of a 1.1 device's
   * master encryption key (raw bytes, as 1.1 wrote it and as upstream's keyd reads it); when set,
   * it is the master encryption key, so what the 1.1 device's modules encrypted still decrypts.
   */
  constructor(
    readonly dir: string,
    private readonly importedMasterEncryptionKey?: string,
  ) {}

  static under(home: string, options: { importedMasterEncryptionKey?: string } = {}): KeyStore {
    return new KeyStore(path.join(home, 'keys'), options.importedMasterEncryptionKey);
  }

  private file(name: string): string {
    return path.join(this.dir, `${name}.key`);
  }

  async read(name: string): Promise<Buffer | undefined> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    try {
      const key = Buffer.from((await fs.readFile(this.file(name), 'utf8')).trim(), 'base64');
      this.cache.set(name, key);
      return key;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new EdgeError(`cannot read key ${name} under ${this.dir}`, { cause: e, hint: 'check the permissions of edged\'s home' });
    }
  }

  /** Stores a key (base64 in the file), replacing any previous one. */
  async write(name: string, key: Buffer): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.file(name), key.toString('base64') + '\n', { mode: 0o600 });
    this.cache.set(name, Buffer.from(key));
  }

  /** Reads a key, creating it from 32 random bytes when missing. */
  async getOrCreate(name: string): Promise<Buffer> {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let pending = this.creating.get(name);
    if (!pending) {
      pending = (async () => {
        const existing = await this.read(name);
        if (existing) return existing;
        const key = randomBytes(32);
        await this.write(name, key);
        return key;
      })().finally(() => this.creating.delete(name));
      this.creating.set(name, pending);
    }
    return pending;
  }

  async remove(name: string): Promise<void> {
    this.cache.delete(name);
    await fs.rm(this.file(name), { force: true });
  }

  /** Upstream's derivation: HMAC-SHA256(master identity key, "{moduleId}:{generationId}:primary"|":secondary"). */
  async moduleKeys(moduleId: string, generationId: string): Promise<ModuleKeys> {
    const master = await this.getOrCreate(MASTER_IDENTITY_KEY);
    return deriveModuleKeys(master, moduleId, generationId);
  }

  /** The imported 1.1 key when the configuration names one, else edged's own random key. */
  async masterEncryptionKey(): Promise<Buffer> {
    const file = this.importedMasterEncryptionKey;
    if (!file) return this.getOrCreate(MASTER_ENCRYPTION_KEY);
    this.importing ??= this.loadImported(file).catch((e) => {
      this.importing = undefined;
      throw e;
    });
    return this.importing;
  }

  /**
   * Reads the 1.1 key file and keeps a 0600 copy under edged's home (as upstream's apply copies
   * it for keyd), so the device keeps decrypting if the old directory later goes away.
   */
  private async loadImported(file: string): Promise<Buffer> {
    let key: Buffer;
    try {
      key = await fs.readFile(file);
    } catch (e) {
      const copy = await this.read(IMPORTED_MASTER_ENCRYPTION_KEY);
      if (copy) return copy;
      throw new ConfigError(`imported_master_encryption_key: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, {
        hint: 'restore the 1.1 master encryption key file there, or remove imported_master_encryption_key from config.toml (what the 1.1 device encrypted then no longer decrypts)',
        cause: e,
      });
    }
    if (key.length !== MASTER_ENCRYPTION_KEY_BYTES) {
      throw new ConfigError(`imported_master_encryption_key: ${file} holds ${key.length} bytes, not the ${MASTER_ENCRYPTION_KEY_BYTES} of a master encryption key`, {
        hint: 'name the 1.1 key file (hsm/enc_keys/edgelet-master…enc.key under the old homedir), as `iotedge config import` writes it',
      });
    }
    const copy = await this.read(IMPORTED_MASTER_ENCRYPTION_KEY);
    if (!copy?.equals(key)) await this.write(IMPORTED_MASTER_ENCRYPTION_KEY, key);
    return key;
  }

  async encrypt(plaintext: Buffer, iv: Buffer, aad: Buffer): Promise<Buffer> {
    return encryptAead(await this.masterEncryptionKey(), plaintext, iv, aad);
  }

  async decrypt(ciphertext: Buffer, iv: Buffer, aad: Buffer): Promise<Buffer> {
    return decryptAead(await this.masterEncryptionKey(), ciphertext, iv, aad);
  }
}

export function deriveModuleKeys(master: Buffer, moduleId: string, generationId: string): ModuleKeys {
  return {
    primary: hmacSha256(master, `${moduleId}:${generationId}:primary`),
    secondary: hmacSha256(master, `${moduleId}:${generationId}:secondary`),
  };
}

/** AES-256-GCM; the output is keyd's v2 format: version byte, ciphertext, 16-byte tag. */
export function encryptAead(key: Buffer, plaintext: Buffer, iv: Buffer, aad: Buffer): Buffer {
  if (iv.length === 0) throw new BadRequestError('initializationVector is empty', { hint: 'send a non-empty base64 initialization vector' });
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([V2]), body, cipher.getAuthTag()]);
}

/** Reads v2 and upstream 1.1's v1 (tag before the ciphertext). */
export function decryptAead(key: Buffer, data: Buffer, iv: Buffer, aad: Buffer): Buffer {
  if (iv.length === 0) throw new BadRequestError('initializationVector is empty', { hint: 'send a non-empty base64 initialization vector' });
  if (data.length < 1 + TAG_LENGTH || (data[0] !== V1 && data[0] !== V2)) {
    throw new BadRequestError('ciphertext is malformed', { hint: 'send a ciphertext returned by the encrypt call' });
  }
  const rest = data.subarray(1);
  const [body, tag] =
    data[0] === V2
      ? [rest.subarray(0, rest.length - TAG_LENGTH), rest.subarray(rest.length - TAG_LENGTH)]
      : [rest.subarray(TAG_LENGTH), rest.subarray(0, TAG_LENGTH)];
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_LENGTH });
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch (e) {
    throw new BadRequestError('ciphertext does not decrypt for this module and generation', {
      hint: 'decrypt with the same module name, generation id and initialization vector used to encrypt',
      cause: e,
    });
  }
}
