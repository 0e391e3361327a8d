import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError } from '../../../src/errors';
import { decryptAead, encryptAead, IMPORTED_MASTER_ENCRYPTION_KEY, KeyStore, MASTER_ENCRYPTION_KEY, MASTER_IDENTITY_KEY } from '../../../src/identity/keys';

describe('KeyStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'keys-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('concurrent first uses create one master key, the one on disk', async () => {
    const store = KeyStore.under(dir);
    const keys = await Promise.all(Array.from({ length: 8 }, () => store.getOrCreate(MASTER_IDENTITY_KEY)));
    const onDisk = await KeyStore.under(dir).read(MASTER_IDENTITY_KEY);
    expect(onDisk).toHaveLength(32);
    for (const k of keys) expect(k.equals(onDisk!)).toBe(true);
  });

  it('concurrent first encryptions all decrypt with the key a restarted edged reads', async () => {
    const store = KeyStore.under(dir);
    const iv = Buffer.from('0123456789ab');
    const aad = Buffer.from('sensor1');
    const sealed = await Promise.all(Array.from({ length: 8 }, (_, i) => store.encrypt(Buffer.from(`secret ${i}`), iv, aad)));
    const restarted = KeyStore.under(dir);
    const opened = await Promise.all(sealed.map((c) => restarted.decrypt(c, iv, aad)));
    expect(opened.map(String)).toEqual(Array.from({ length: 8 }, (_, i) => `secret ${i}`));
    expect((await fs.stat(path.join(dir, 'keys', `${MASTER_ENCRYPTION_KEY}.key`))).mode & 0o777).toBe(0o600);
  });

  describe('imported_master_encryption_key (a 1.1 device imported with `iotedge config import`)', () => {
    const iv = Buffer.from('0123456789ab');
    const aad = Buffer.from('sensor1gen1');

    it('the key file is the master encryption key: what 1.1 encrypted decrypts, and what edged encrypts 1.1 could read', async () => {
      const old = randomBytes(32);
      const file = path.join(dir, 'edgelet-master.enc.key');
      await fs.writeFile(file, old);
      const store = KeyStore.under(path.join(dir, 'home'), { importedMasterEncryptionKey: file });
      const by11 = encryptAead(old, Buffer.from('kept across the upgrade'), iv, aad);
      expect(String(await store.decrypt(by11, iv, aad))).toBe('kept across the upgrade');
      expect(String(decryptAead(old, await store.encrypt(Buffer.from('new'), iv, aad), iv, aad))).toBe('new');
      // edged's own random key is not created, and a 0600 copy is kept under edged's home.
      const keys = path.join(dir, 'home', 'keys');
      await expect(fs.stat(path.join(keys, `${MASTER_ENCRYPTION_KEY}.key`))).rejects.toMatchObject({ code: 'ENOENT' });
      expect((await fs.stat(path.join(keys, `${IMPORTED_MASTER_ENCRYPTION_KEY}.key`))).mode & 0o777).toBe(0o600);
      // The old directory gone: the copy still decrypts.
      await fs.rm(file);
      const later = KeyStore.under(path.join(dir, 'home'), { importedMasterEncryptionKey: file });
      expect(String(await later.decrypt(by11, iv, aad))).toBe('kept across the upgrade');
    });

    it('a missing file is a configuration error (153), one line naming the key and the file', async () => {
      const file = path.join(dir, 'nope.key');
      const store = KeyStore.under(path.join(dir, 'home'), { importedMasterEncryptionKey: file });
      const e = await store.encrypt(Buffer.from('x'), iv, aad).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(ConfigError);
      expect(e).toMatchObject({ exitCode: 153, message: `imported_master_encryption_key: cannot read ${file} (ENOENT)` });
      expect((e as Error).message).not.toContain('\n');
    });

    it('a file that is not a 32-byte key is refused', async () => {
      const file = path.join(dir, 'short.key');
      await fs.writeFile(file, randomBytes(16));
      const store = KeyStore.under(path.join(dir, 'home'), { importedMasterEncryptionKey: file });
      await expect(store.masterEncryptionKey()).rejects.toMatchObject({
        exitCode: 153,
        message: `imported_master_encryption_key: ${file} holds 16 bytes, not the 32 of a master encryption key`,
      });
    });
  });
});
