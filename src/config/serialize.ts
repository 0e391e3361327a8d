/**
 * Writes a super-config document as TOML in upstream's layout: a table's plain keys first, then
 * each sub-table under its own `[a.b]` header (empty ones too, as upstream writes them).
 * Docker createOptions stay one inline table, as the template shows them.
 */
import { isTable } from './merge';

type Table = Record<string, unknown>;

const INLINE_KEYS = new Set(['createOptions']);

export function toToml(doc: Table, header?: string): string {
  const lines: string[] = header ? header.split('\n').map((l) => (l ? `# ${l}` : '#')) : [];
  if (lines.length) lines.push('');
  emitTable(doc, [], lines);
  return `${lines.join('\n').replace(/^\n+/, '')}\n`;
}

function emitTable(table: Table, path: string[], lines: string[]): void {
  const subTables: Array<[string, Table]> = [];
  for (const [key, value] of Object.entries(table)) {
    if (value === undefined) continue;
    if (isTable(value) && !INLINE_KEYS.has(key)) subTables.push([key, value]);
    else lines.push(`${formatKey(key)} = ${formatValue(value)}`);
  }
  for (const [key, value] of subTables) {
    const sub = [...path, key];
    lines.push('', `[${sub.map(formatKey).join('.')}]`);
    emitTable(value, sub, lines);
  }
}

export function formatKey(key: string): string {
  return /^[A-Za-z0-9_-]+$/.test(key) ? key : JSON.stringify(key);
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : Number.isNaN(v) ? 'nan' : '-inf';
  if (typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `[${v.map(formatValue).join(', ')}]`;
  if (isTable(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    return entries.length ? `{ ${entries.map(([k, x]) => `${formatKey(k)} = ${formatValue(x)}`).join(', ')} }` : '{}';
  }
  throw new TypeError(`cannot write a ${typeof v} as TOML`);
}
