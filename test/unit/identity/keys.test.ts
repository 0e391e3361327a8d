import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KeyStore, MASTER_ENCRYPTION_KEY, MASTER_IDENTITY_KEY } from '../../../src/identity/keys';

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
});
