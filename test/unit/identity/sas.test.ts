import { createHmac } from 'node:crypto';
import { deriveGroupDeviceKey, dpsAudience, encodeResource, formEncode, hubAudience, sasToken } from '../../../src/identity/sas';
import { KeyStore, decryptAead, deriveModuleKeys, encryptAead } from '../../../src/identity/keys';

describe('SAS tokens as upstream makes them', () => {
  const key = Buffer.from('c2VjcmV0LWRldmljZS1rZXktMTIzNDU2Nzg5MA==', 'base64');

  it('lower-cases and percent-encodes the audience, keeping /', () => {
    expect(encodeResource('MyHub.azure-devices.net/devices/Dev 1=x')).toBe('myhub.azure-devices.net/devices/dev%201%3Dx');
    expect(encodeResource('h/devices/dé')).toBe('h/devices/d%C3%A9');
  });

  it('form-encodes the signature (+ / = escaped)', () => {
    expect(formEncode('a+b/c=')).toBe('a%2Bb%2Fc%3D');
    expect(formEncode('x y*-._')).toBe('x+y*-._');
  });

  it('signs sr + "\\n" + se with HMAC-SHA256 of the device key; hub tokens have no skn', () => {
    const token = sasToken({ audience: hubAudience('MyHub.azure-devices.net', 'dev1'), key, expiry: 1700000000 });
    const sr = 'myhub.azure-devices.net/devices/dev1';
    const sig = createHmac('sha256', key).update(`${sr}\n1700000000`).digest('base64');
    expect(token).toBe(`SharedAccessSignature sr=${sr}&sig=${formEncode(sig)}&se=1700000000`);
  });

  it('adds skn=registration for DPS', () => {
    const token = sasToken({ audience: dpsAudience('0ne0001', 'reg-1'), key, expiry: 5, keyName: 'registration' });
    expect(token).toMatch(/^SharedAccessSignature sr=0ne0001\/registrations\/reg-1&sig=[^&]+&se=5&skn=registration$/);
  });

  it('derives a group enrollment device key as base64(HMAC(base64decode(group), regId))', () => {
    const group = Buffer.from('group-key-bytes').toString('base64');
    expect(deriveGroupDeviceKey(group, 'dev-7')).toBe(
      createHmac('sha256', Buffer.from('group-key-bytes')).update('dev-7').digest('base64'),
    );
  });
});

describe('module keys and the master encryption key', () => {
  it('derives primary and secondary keys from "{module}:{genid}:primary|secondary"', () => {
    const master = Buffer.alloc(32, 7);
    const keys = deriveModuleKeys(master, '$edgeHub', 'gen1');
    expect(keys.primary).toEqual(createHmac('sha256', master).update('$edgeHub:gen1:primary').digest());
    expect(keys.secondary).toEqual(createHmac('sha256', master).update('$edgeHub:gen1:secondary').digest());
  });

  it('encrypts in keyd v2 format (version, ciphertext, tag) and decrypts v1 and v2', () => {
    const key = Buffer.alloc(32, 1);
    const iv = Buffer.from('0123456789ab');
    const aad = Buffer.from('modgen');
    const ct = encryptAead(key, Buffer.from('hello'), iv, aad);
    expect(ct[0]).toBe(2);
    expect(ct.length).toBe(1 + 5 + 16);
    expect(decryptAead(key, ct, iv, aad).toString()).toBe('hello');
    const v1 = Buffer.concat([Buffer.from([1]), ct.subarray(ct.length - 16), ct.subarray(1, ct.length - 16)]);
    expect(decryptAead(key, v1, iv, aad).toString()).toBe('hello');
    expect(() => decryptAead(key, ct, iv, Buffer.from('other'))).toThrow(/does not decrypt/);
  });

  it('keeps keys in 0600 files under <home>/keys and reuses them', async () => {
    const fs = await import('node:fs/promises');
    const os = await import('node:os');
    const path = await import('node:path');
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'keys-'));
    const store = KeyStore.under(home);
    const a = await store.getOrCreate('master-identity');
    const b = await KeyStore.under(home).getOrCreate('master-identity');
    expect(a).toEqual(b);
    expect(a.length).toBe(32);
    const st = await fs.stat(path.join(home, 'keys', 'master-identity.key'));
    expect(st.mode & 0o777).toBe(0o600);
    await fs.rm(home, { recursive: true, force: true });
  });
});
