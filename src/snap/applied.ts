/**
 * What the last successful configure run read from the files options point at (cs-file,
 * deployment-file): the option's value and a hash of the content, kept 0600 beside config.toml.
 * A later `snap set` of something else, or a refresh, runs configure again: if such a file has
 * since been deleted while its option is unchanged, the configuration it produced is kept
 * instead of failing every later configure run.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { writeFileAtomic } from '../util/atomic-write';
import { readInputFile } from './input-file';

export interface AppliedFile {
  path: string;
  sha256: string;
}

export interface Applied {
  'cs-file'?: AppliedFile;
  'deployment-file'?: AppliedFile;
}

export type FileOption = keyof Applied;

export async function readApplied(file: string): Promise<Applied> {
  try {
    const doc = JSON.parse(await fs.readFile(file, 'utf8')) as unknown;
    return doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc) : {};
  } catch {
    return {};
  }
}

export function writeApplied(file: string, applied: Applied): Promise<void> {
  return writeFileAtomic(file, JSON.stringify(applied, null, 2) + '\n', { mode: 0o600 });
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export type InputRead = { kind: 'read'; text: string; record: AppliedFile } | { kind: 'kept'; record: AppliedFile };

/**
 * Read an option's file; when it is missing but the option's value is the one last applied,
 * answer "kept" (the caller keeps what that file produced). A changed value, or a file that
 * exists (deleted and recreated, or edited), is read and validated as always.
 */
export async function readOrKeep(option: FileOption, file: string, maxBytes: number, applied: Applied): Promise<InputRead> {
  const before = applied[option];
  if (before?.path === file && (await missing(file))) return { kind: 'kept', record: before };
  const text = await readInputFile(option, file, maxBytes);
  return { kind: 'read', text, record: { path: file, sha256: sha256(text) } };
}

async function missing(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT';
  }
}
