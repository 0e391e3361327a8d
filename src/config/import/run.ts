/**
 * `iotedge config import`: read the 1.1 config.yaml, translate it, write the super-config (0600,
 * atomically). The old file is only read, never changed; an existing output is kept unless forced.
 */
import * as path from 'node:path';
import { ConfigError } from '../../errors';
import { assertValid, parseSources } from '../parse';
import { toToml } from '../serialize';
import { parseOldConfig } from './old-config';
import { OLD_MASTER_ENCRYPTION_KEY, translateOldConfig } from './translate';

export interface ImportFs {
  readFile(file: string): Promise<string>;
  exists(file: string): Promise<boolean>;
  writeFileAtomic(file: string, data: string, options: { mode: number }): Promise<void>;
}

export interface ImportRequest {
  from: string;
  to: string;
  force: boolean;
}

/** Translate without touching the disk except to look for the old master encryption key. */
export async function importText(text: string, file: string, exists: ImportFs['exists']): Promise<string> {
  const old = parseOldConfig(text, file);
  const homedir = typeof old.homedir === 'string' && old.homedir.startsWith('/') ? old.homedir : '/var/lib/iotedge';
  const keyPath = path.join(homedir, OLD_MASTER_ENCRYPTION_KEY);
  const doc = translateOldConfig(old, file, { oldMasterEncryptionKey: (await exists(keyPath)) ? keyPath : undefined });
  const toml = toToml(doc);
  // What we write must be a super-config our own loader takes (TPM and the like are refused at apply, not here).
  assertValid(parseSources([{ file: '(imported configuration)', text: toml }]), { allowUnsupported: true });
  return toml;
}

export async function importConfig(req: ImportRequest, fs: ImportFs): Promise<string[]> {
  if (path.resolve(req.from) === path.resolve(req.to)) {
    throw new ConfigError('the output would overwrite the old configuration', { hint: 'give another output file with -o' });
  }
  if (!req.force && (await fs.exists(req.to))) {
    throw new ConfigError(`${req.to} already exists: Azure IoT Edge has already been configured`, {
      hint: 'to apply it run `iotedge config apply`; to import again and replace it add --force',
    });
  }
  let text: string;
  try {
    text = await fs.readFile(req.from);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `there is no old configuration at ${req.from} to import` : `could not read ${req.from}: ${code ?? e}`,
      { hint: code === 'ENOENT' ? 'give the 1.1 config.yaml with -c (inside the snap, a copy in your home directory)' : 'check the permissions (try with sudo)', cause: e },
    );
  }
  const toml = await importText(text, req.from, fs.exists);
  await fs.writeFileAtomic(req.to, toml, { mode: 0o600 });
  return [
    `The configuration of ${req.from} has been imported to ${req.to}.`,
    'To apply it, run:',
    '',
    `    iotedge config apply -c '${req.to}'`,
  ];
}
