/**
 * Where a key or certificate comes from in the super-config: a value, or a `file:` URI (or an
 * absolute path). PKCS#11 and TPM are upstream features this appliance does not carry.
 */
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors';
import { decodeBase64Key } from '../util/base64';
import type { SecretRef } from './types';

export function notSupported(what: string, setting: string): ConfigError {
  return new ConfigError(`${setting}: ${what} is not supported by this appliance`, {
    hint: 'use a key or certificate file (file:///path) or, for keys, an inline value',
  });
}

/** `file:///a/b` or `/a/b` → `/a/b`; `pkcs11:` is refused with a clear error. */
export function filePathOf(uri: string, setting: string): string {
  if (typeof uri !== 'string' || uri.trim() === '') {
    throw new ConfigError(`${setting} is empty`, { hint: 'set it to a file:///absolute/path URI' });
  }
  if (uri.startsWith('pkcs11:')) throw notSupported('PKCS#11', setting);
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch (e) {
      throw new ConfigError(`${setting}: "${uri}" is not a valid file URI`, { hint: 'use file:///absolute/path', cause: e });
    }
  }
  if (uri.startsWith('/')) return uri;
  throw new ConfigError(`${setting}: "${uri}" is neither a file: URI nor an absolute path`, {
    hint: 'use file:///absolute/path',
  });
}

export async function readConfigFile(uri: string, setting: string): Promise<string> {
  const file = filePathOf(uri, setting);
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`${setting}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? e})`, {
      hint: 'check that the file exists and that edged can read it',
      cause: e,
    });
  }
}

/** A symmetric key given inline (base64) or as a file holding the base64 text or the raw bytes. */
export async function resolveSymmetricKey(ref: SecretRef | undefined, setting: string): Promise<Buffer> {
  if (!ref || typeof ref !== 'object') {
    throw new ConfigError(`${setting} is missing`, { hint: `set ${setting}.value (base64) or ${setting}.uri (file:///path)` });
  }
  if ('value' in ref && typeof ref.value === 'string') return decodeKey(ref.value, setting);
  if ('uri' in ref && typeof ref.uri === 'string') {
    const file = filePathOf(ref.uri, setting);
    let data: Buffer;
    try {
      data = await fs.readFile(file);
    } catch (e) {
      throw new ConfigError(`${setting}: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? e})`, {
        hint: 'check that the key file exists and that edged can read it',
        cause: e,
      });
    }
    const text = data.toString('utf8').trim();
    // Upstream's preloaded key files hold the raw bytes; a base64 text file is accepted too.
    return decodeBase64Key(text) ?? data;
  }
  throw new ConfigError(`${setting} has neither value nor uri`, { hint: `set ${setting}.value (base64) or ${setting}.uri (file:///path)` });
}

function decodeKey(value: string, setting: string): Buffer {
  const key = decodeBase64Key(value.trim());
  if (!key) {
    // Never echo the value: it is a secret.
    throw new ConfigError(`${setting} is not valid base64`, { hint: 'copy the key again from IoT Hub or DPS' });
  }
  return key;
}
