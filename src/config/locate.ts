/**
 * Finds the line of a key in TOML text. @iarna/toml gives no positions per key, so this scans
 * the text: table headers set the current table, `key = value` lines (dotted and quoted keys,
 * inline tables) add their full path. A key that is not written (a default, a missing key) is
 * placed at the nearest table or key above it that is.
 */
export type LineIndex = Map<string, number>;

const SEP = '\u0000';

export function indexLines(text: string): LineIndex {
  const index: LineIndex = new Map();
  const arrayCounts = new Map<string, number>();
  let table: string[] = [];
  let inMultiline: string | undefined;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (inMultiline) {
      if (raw.includes(inMultiline)) inMultiline = undefined;
      return;
    }
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const arrayHeader = /^\[\[(.+)\]\]/.exec(trimmed);
    const header = arrayHeader ? undefined : /^\[(.+?)\]\s*(#.*)?$/.exec(trimmed);
    if (arrayHeader) {
      const base = splitKey(arrayHeader[1]);
      const k = base.join(SEP);
      const n = arrayCounts.get(k) ?? 0;
      arrayCounts.set(k, n + 1);
      table = [...base, String(n)];
      record(index, base, line);
      record(index, table, line);
      return;
    }
    if (header) {
      table = splitKey(header[1]);
      record(index, table, line);
      return;
    }
    const eq = findAssignment(trimmed);
    if (eq < 0) return;
    const key = [...table, ...splitKey(trimmed.slice(0, eq))];
    record(index, key, line);
    const value = trimmed.slice(eq + 1).trim();
    if (value.startsWith('{')) inlineKeys(value, key, (p) => record(index, p, line));
    for (const quote of ['"""', "'''"]) {
      if (value.startsWith(quote) && value.indexOf(quote, 3) < 0) inMultiline = quote;
    }
  });
  return index;
}

/** The line of `path`, or of the closest written ancestor; `exact` says which. */
export function lineOf(index: LineIndex, path: readonly string[]): { line: number; exact: boolean } | undefined {
  for (let n = path.length; n > 0; n--) {
    const line = index.get(path.slice(0, n).join(SEP));
    if (line !== undefined) return { line, exact: n === path.length };
  }
  return undefined;
}

/** How many leading parts of `path` the text writes (0: none). */
export function depthWritten(index: LineIndex, path: readonly string[]): number {
  for (let n = path.length; n > 0; n--) if (index.has(path.slice(0, n).join(SEP))) return n;
  return 0;
}

function record(index: LineIndex, path: string[], line: number) {
  const k = path.join(SEP);
  if (!index.has(k)) index.set(k, line);
}

/** Position of the `=` of a key/value line, outside quotes; -1 if none. */
function findAssignment(s: string): number {
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '=') return i;
    else if (c === '#') return -1;
  }
  return -1;
}

function splitKey(s: string): string[] {
  const parts: string[] = [];
  let cur = '';
  let quote: string | undefined;
  for (const c of s.trim()) {
    if (quote) {
      if (c === quote) quote = undefined;
      else cur += c;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '.') {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  parts.push(cur.trim());
  return parts;
}

/** Keys of an inline table (and of the inline tables inside it), reported with their full path. */
function inlineKeys(value: string, base: string[], found: (path: string[]) => void) {
  const stack: string[][] = [];
  let current = base;
  let token = '';
  let quote: string | undefined;
  let pendingKey: string[] | undefined;
  let expectingKey = false;
  for (const c of value) {
    if (quote) {
      if (c === quote) quote = undefined;
      if (expectingKey) token += c;
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      if (expectingKey) token += c;
      continue;
    }
    if (c === '{') {
      stack.push(current);
      if (pendingKey) current = pendingKey;
      pendingKey = undefined;
      expectingKey = true;
      token = '';
    } else if (c === '}') {
      current = stack.pop() ?? base;
      expectingKey = false;
    } else if (c === '=' && expectingKey) {
      pendingKey = [...current, ...splitKey(token)];
      found(pendingKey);
      expectingKey = false;
      token = '';
    } else if (c === ',') {
      expectingKey = stack.length > 0;
      pendingKey = undefined;
      token = '';
    } else if (expectingKey) token += c;
  }
}
