/** Upstream's presentation of check results: text (√ ‼ ×, sections, a summary) or JSON. */
import type { CheckResult } from './types';

export interface Outcome {
  section: string;
  id: string;
  description: string;
  result: CheckResult;
}

export interface Tally {
  succeeded: number;
  warnings: number;
  errors: number;
  skipped: number;
}

export function tally(outcomes: readonly Outcome[]): Tally {
  const t: Tally = { succeeded: 0, warnings: 0, errors: 0, skipped: 0 };
  for (const { result } of outcomes) {
    if (result.kind === 'ok') t.succeeded++;
    else if (result.kind === 'warning') t.warnings++;
    else if (result.kind === 'error' || result.kind === 'fatal') t.errors++;
    else if (result.kind === 'skipped') t.skipped++;
  }
  return t;
}

function indent(first: string, rest: string, text: string): string[] {
  return text.split('\n').map((l, i) => `${i === 0 ? first : rest}${l}`);
}

export function renderText(outcomes: readonly Outcome[], verbose: boolean): string {
  const lines: string[] = [];
  let section: string | undefined;
  for (const o of outcomes) {
    if (o.section !== section) {
      if (section !== undefined) lines.push('');
      section = o.section;
      lines.push(section, '-'.repeat(section.length));
    }
    const r = o.result;
    if (r.kind === 'ignored' || (r.kind === 'skipped' && !verbose)) continue;
    if (r.kind === 'ok') lines.push(`\u221a ${o.description} - OK`);
    else if (r.kind === 'skipped') lines.push(`\u203c ${o.description} - Warning`, '    skipping because of previous failures');
    else {
      lines.push(r.kind === 'warning' ? `\u203c ${o.description} - Warning` : `\u00d7 ${o.description} - Error`);
      lines.push(...indent('    ', '    ', r.message));
      if (verbose) for (const c of r.causes ?? []) lines.push(...indent('        caused by: ', '                   ', c));
    }
  }
  if (section !== undefined) lines.push('');
  const t = tally(outcomes);
  const more = verbose ? '' : ' Re-run with --verbose for more details.';
  lines.push(`${t.succeeded} check(s) succeeded.`);
  if (t.warnings) lines.push(`${t.warnings} check(s) raised warnings.${more}`);
  if (t.errors) lines.push(`${t.errors} check(s) raised errors.${more}`);
  if (t.skipped) lines.push(`${t.skipped} check(s) were skipped due to errors from other checks.${more}`);
  return `${lines.join('\n')}\n`;
}

const RESULT_NAMES = { ok: 'Ok', warning: 'Warning', error: 'Error', fatal: 'Fatal', skipped: 'Skipped', ignored: 'Ignored' } as const;

/** As upstream's `--output json`: `{ additional_info, checks: { id: { result, details? } } }`. */
export function renderJson(outcomes: readonly Outcome[], additionalInfo: Record<string, unknown>): string {
  const checks: Record<string, unknown> = {};
  for (const o of outcomes) {
    const r = o.result;
    const details = 'message' in r ? [r.message, ...(r.causes ?? [])] : undefined;
    checks[o.id] = { description: o.description, result: RESULT_NAMES[r.kind], ...(details ? { details } : {}) };
  }
  return `${JSON.stringify({ additional_info: additionalInfo, checks }, null, 2)}\n`;
}
