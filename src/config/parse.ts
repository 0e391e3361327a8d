/**
 * From text to a validated document: parse each file (the main file, then its drop-ins), merge
 * them as upstream does, validate the result against the one schema, and place every problem at
 * the file and line that wrote the key.
 */
import * as TOML from '@iarna/toml';
import { ConfigError } from '../errors';
import { ConfigValidationError, type LocatedIssue } from './errors';
import { depthWritten, indexLines, type LineIndex } from './locate';
import { mergeToml, type TomlTable } from './merge';
import { superConfigSchema } from './schema/super-config';
import { validateAgainst } from './schema/validate';
import type { ConfigIssue } from './schema/types';

export interface ConfigSource {
  /** For messages: a path or a name. */
  file: string;
  text: string;
}

export interface ParsedConfig {
  /** The merged document, as TOML parsed it. */
  doc: TomlTable;
  sources: Array<ConfigSource & { doc: TomlTable; index: LineIndex }>;
}

export function parseSources(sources: readonly ConfigSource[]): ParsedConfig {
  const parsed = sources.map((s) => ({ ...s, doc: parseToml(s), index: indexLines(s.text) }));
  const doc = parsed.reduce<TomlTable>((acc, s) => mergeToml(acc, s.doc), {});
  return { doc, sources: parsed };
}

/** Every problem of the merged document, errors first. */
export function validateParsed(parsed: ParsedConfig): LocatedIssue[] {
  const issues = validateAgainst(superConfigSchema, parsed.doc).map((i) => locate(parsed, i));
  return [...issues.filter((i) => i.kind === 'error'), ...issues.filter((i) => i.kind === 'unsupported')];
}

export interface CheckOptions {
  /** Accept well-formed keys this appliance cannot honour (import and inspection; never apply or edged). */
  allowUnsupported?: boolean;
}

/** Throws a ConfigValidationError listing every problem, or returns the merged document. */
export function assertValid(parsed: ParsedConfig, options: CheckOptions = {}): TomlTable {
  const issues = validateParsed(parsed).filter((i) => i.kind === 'error' || !options.allowUnsupported);
  if (issues.length > 0) throw new ConfigValidationError(issues);
  return parsed.doc;
}

function locate(parsed: ParsedConfig, issue: ConfigIssue): LocatedIssue {
  let best: { file: string; depth: number; index: LineIndex } | undefined;
  for (const s of parsed.sources) {
    const depth = depthWritten(s.index, issue.path);
    // The deepest match wins; on a tie the later file, as it is the one whose value counts.
    if (depth > 0 && (!best || depth >= best.depth)) best = { file: s.file, depth, index: s.index };
  }
  if (!best) return { ...issue, file: parsed.sources[0]?.file ?? 'config.toml' };
  const file = best.file;
  const line = best.index.get(issue.path.slice(0, best.depth).join('\u0000'));
  return { ...issue, file, line };
}

function parseToml(source: ConfigSource): TomlTable {
  try {
    return TOML.parse(source.text);
  } catch (e) {
    const err = e as { line?: number; col?: number; message?: string };
    // The parser's message quotes the offending text, which may be a secret: keep only its first clause.
    const what = (err.message ?? 'syntax error').split('\n')[0].replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    const line = (err.line ?? 0) + 1;
    throw new ConfigError(`${source.file}:${line}: not valid TOML: ${what} (column ${(err.col ?? 0) + 1})`, {
      hint: 'fix the syntax (https://toml.io) and try again',
      cause: new Error(what),
    });
  }
}
