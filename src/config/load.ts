/**
 * Reads the super-config. This is the single entry point every process uses; the schema behind
 * it (src/config/schema/) validates every key and fills the defaults. Drop-ins in the `config.d`
 * directory beside the file are merged as upstream does (src/config/merge.ts).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ConfigError } from '../errors';
import { dropInOrder } from './merge';
import { assertValid, parseSources, type ConfigSource } from './parse';
import { defaultEndpoints, toSuperConfig } from './typed';
import type { SuperConfig } from './types';

export { defaultEndpoints };

export interface LoadOptions {
  /** edged's state directory: default socket paths live under it. */
  home: string;
  /**
   * Drop-in directory merged after the file; default `<dir of file>/config.d`; null: none.
   * A missing directory is no drop-ins, as upstream.
   */
  dropInDir?: string | null;
  /** Accept keys this appliance cannot honour (TPM, PKCS#11, EST): only for inspection, never to run. */
  allowUnsupported?: boolean;
}

export async function loadSuperConfigFile(file: string, options: LoadOptions): Promise<SuperConfig> {
  const sources = await readConfigSources(file, options.dropInDir);
  return parseSuperConfigSources(sources, options);
}

export function parseSuperConfig(text: string, options: LoadOptions & { source?: string }): SuperConfig {
  return parseSuperConfigSources([{ file: options.source ?? 'config.toml', text }], options);
}

export function parseSuperConfigSources(sources: readonly ConfigSource[], options: LoadOptions): SuperConfig {
  const doc = assertValid(parseSources(sources), { allowUnsupported: options.allowUnsupported });
  return toSuperConfig(doc, options.home);
}

/** The main file, then its drop-ins in upstream's order. */
export async function readConfigSources(file: string, dropInDir?: string | null): Promise<ConfigSource[]> {
  const dir = dropInDir === undefined ? path.join(path.dirname(file), 'config.d') : dropInDir;
  return [{ file, text: await readText(file) }, ...(dir === null ? [] : await readDropIns(dir))];
}

/** The `*.toml` files of a drop-in directory, in name order; none when it does not exist. */
export async function readDropIns(dir: string): Promise<ConfigSource[]> {
  let names: string[];
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    names = entries.filter((e) => e.isFile()).map((e) => e.name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') return [];
    throw new ConfigError(`cannot read the drop-in directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? e}`, { cause: e });
  }
  const sources: ConfigSource[] = [];
  for (const name of dropInOrder(names)) {
    const f = path.join(dir, name);
    sources.push({ file: f, text: await readText(f) });
  }
  return sources;
}

async function readText(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`cannot read the configuration file ${file}: ${code ?? e}`, {
      hint:
        code === 'ENOENT'
          ? 'create it (`iotedge config mp -c CONNSTR` or `iotedge config import`) or give another with -c'
          : 'check that the file is readable (try with sudo)',
      cause: e,
    });
  }
}
