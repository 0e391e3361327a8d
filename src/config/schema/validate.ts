/**
 * Walks a parsed TOML document along the schema and lists every problem: wrong types, values
 * outside the allowed set, unknown keys (with the nearest known key), missing keys, and keys this
 * appliance cannot honour. Pure: no I/O, no exceptions. Never puts a secret value in a message.
 */
import { closest, distance } from 'fastest-levenshtein';
import type { ConfigIssue, EitherNode, Node, StringNode, TableNode } from './types';
import { checkFormat } from './formats';

export function validateAgainst(schema: TableNode, doc: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  walk(schema, doc, [], issues);
  return issues;
}

export function tomlType(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'float';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date-time';
  if (v && typeof v === 'object') return 'table';
  return typeof v;
}

function isTable(v: unknown): v is Record<string, unknown> {
  return tomlType(v) === 'table';
}

function walk(node: Node, value: unknown, path: string[], issues: ConfigIssue[]): void {
  const error = (message: string, hint?: string): void => {
    issues.push({ path, message, hint, kind: 'error' });
  };
  if (node.unsupported && !(isTable(value) && Object.keys(value).length === 0)) {
    issues.push({ path, message: 'not supported by this appliance', hint: node.unsupported, kind: 'unsupported' });
  }
  switch (node.type) {
    case 'string':
      if (typeof value !== 'string') return error(`expected a string, found ${describe(value, node)}`, node.doc);
      return stringValue(node, value, path, issues);
    case 'integer':
      if (tomlType(value) !== 'integer') return error(`expected an integer, found ${describe(value, node)}`, node.doc);
      if (node.min !== undefined && (value as number) < node.min) return error(`must be at least ${node.min}`, node.doc);
      if (node.max !== undefined && (value as number) > node.max) return error(`must be at most ${node.max}`, node.doc);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') return error(`expected true or false, found ${describe(value, node)}`, node.doc);
      return;
    case 'any-table':
      if (!isTable(value)) return error(`expected a table, found ${describe(value, node)}`, node.doc);
      return;
    case 'array':
      if (!Array.isArray(value)) return error(`expected an array, found ${describe(value, node)}`, node.doc);
      value.forEach((item, i) => walk(node.items, item, [...path, String(i)], issues));
      return;
    case 'map':
      if (!isTable(value)) return error(`expected a table, found ${describe(value, node)}`, node.doc);
      for (const [k, v] of Object.entries(value)) walk(node.values, v, [...path, k], issues);
      return;
    case 'either':
      return either(node, value, path, issues);
    case 'table':
      if (!isTable(value)) return error(`expected a table, found ${describe(value, node)}`, node.doc);
      return table(node, value, path, issues);
  }
}

function stringValue(node: StringNode, value: string, path: string[], issues: ConfigIssue[]): void {
  if (node.enum && !node.enum.includes(value)) {
    const near = closest(value, node.enum);
    const suggestion = distance(value.toLowerCase(), near.toLowerCase()) <= Math.max(2, near.length / 3) ? ` (did you mean "${near}"?)` : '';
    issues.push({
      path,
      message: `${node.secret ? 'this value' : JSON.stringify(value)} is not allowed${suggestion}`,
      hint: `allowed: ${node.enum.map((e) => JSON.stringify(e)).join(', ')}`,
      kind: 'error',
    });
    return;
  }
  if (node.format) {
    const problem = checkFormat(node.format, value);
    if (problem?.kind === 'unsupported') issues.push({ path, message: 'not supported by this appliance', hint: problem.reason, kind: 'unsupported' });
    else if (problem) issues.push({ path, message: problem.reason, hint: node.doc, kind: 'error' });
  }
}

function either(node: EitherNode, value: unknown, path: string[], issues: ConfigIssue[]): void {
  const type = tomlType(value);
  const option = node.options.find((o) => (o.type === 'map' || o.type === 'any-table' ? 'table' : o.type) === type);
  if (option) return walk(option, value, path, issues);
  const kinds = [...new Set(node.options.map((o) => (o.type === 'map' || o.type === 'any-table' ? 'table' : o.type)))];
  issues.push({ path, message: `expected ${kinds.join(' or ')}, found ${describe(value, node)}`, hint: node.doc, kind: 'error' });
}

function table(node: TableNode, value: Record<string, unknown>, path: string[], issues: ConfigIssue[]): void {
  let fields = node.fields;
  let required = node.required ?? [];
  if (node.tag) {
    const tagValue = value[node.tag.key];
    const allowed = Object.keys(node.tag.variants);
    const tagPath = [...path, node.tag.key];
    if (tagValue === undefined) {
      if (!node.tag.optional) {
        issues.push({ path: tagPath, message: `missing key "${node.tag.key}"`, hint: `allowed: ${allowed.map((a) => JSON.stringify(a)).join(', ')}`, kind: 'error' });
        return;
      }
    } else if (typeof tagValue !== 'string' || !allowed.includes(tagValue)) {
      stringValue({ type: 'string', enum: allowed }, typeof tagValue === 'string' ? tagValue : String(tagValue), tagPath, issues);
      return;
    } else {
      const variant = node.tag.variants[tagValue];
      if (variant.unsupported) issues.push({ path: tagPath, message: `"${tagValue}" is not supported by this appliance`, hint: variant.unsupported, kind: 'unsupported' });
      fields = { ...fields, ...variant.fields };
      required = [...required, ...(variant.required ?? [])];
    }
  }
  const known = Object.keys(fields);
  for (const [key, v] of Object.entries(value)) {
    if (node.tag && key === node.tag.key) continue;
    const field = fields[key];
    if (!field) {
      issues.push({ path: [...path, key], ...unknownKey(key, node.tag ? [...known, node.tag.key] : known), kind: 'error' });
      continue;
    }
    walk(field, v, [...path, key], issues);
  }
  for (const key of required) {
    if (value[key] === undefined) issues.push({ path: [...path, key], message: `missing key "${key}"`, hint: fields[key]?.doc, kind: 'error' });
  }
  for (const [key, message] of node.check?.(value) ?? []) {
    issues.push({ path: key === undefined ? path : [...path, key], message, kind: 'error' });
  }
}

function unknownKey(key: string, known: string[]): { message: string; hint: string } {
  const listed = known.length > 12 ? `${known.slice(0, 12).join(', ')}, ... (see docs/config.md)` : known.join(', ');
  const where = known.length ? `known keys here: ${listed}` : 'this table takes no keys here';
  if (known.length === 0) return { message: `unknown key "${key}"`, hint: where };
  const near = closest(key, known);
  const close = distance(key.toLowerCase(), near.toLowerCase()) <= Math.max(2, Math.floor(near.length / 3));
  return close ? { message: `unknown key "${key}" (did you mean "${near}"?)`, hint: where } : { message: `unknown key "${key}"`, hint: where };
}

/** A value's type for a message; the value itself only when it is short and not secret. */
function describe(value: unknown, node: Node): string {
  const type = tomlType(value);
  if (node.secret || type === 'table' || type === 'array') return `a ${type}`;
  const shown = JSON.stringify(value);
  return shown !== undefined && shown.length <= 40 ? `${type} ${shown}` : `a ${type}`;
}
