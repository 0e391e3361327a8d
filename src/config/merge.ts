/**
 * config.d drop-ins, merged as upstream's config-common does: the files of the directory that
 * end in `.toml`, in name order, each merged onto the result so far. Tables merge key by key
 * (recursively), arrays are concatenated (upstream needs that for `[[principal]]`), any other
 * value is replaced by the later file's.
 */
export type TomlTable = Record<string, unknown>;

/** A TOML table: an object that is neither an array nor a date. */
export function isTable(v: unknown): v is TomlTable {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);
}

export function mergeToml(base: TomlTable, patch: TomlTable): TomlTable {
  const out: TomlTable = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    const original = out[key];
    if (isTable(original) && isTable(value)) out[key] = mergeToml(original, value);
    else if (Array.isArray(original) && Array.isArray(value)) out[key] = [...original, ...value];
    else out[key] = value;
  }
  return out;
}

/** Drop-in file names in the order upstream applies them. */
export function dropInOrder(names: readonly string[]): string[] {
  return names.filter((n) => n.endsWith('.toml')).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
