/**
 * Reading the schema tree by key path, so that a default is declared once, on its node, and
 * everything else (the typed view, the snap's first config.toml, `config mp`) asks for it.
 */
import { superConfigSchema } from './super-config';
import type { Node } from './types';

/** The node at a key path (fields of tables, tag variants included), or undefined. */
export function nodeAt(path: readonly string[], root: Node = superConfigSchema): Node | undefined {
  let node: Node | undefined = root;
  for (const key of path) {
    if (node?.type !== 'table') return undefined;
    const table: Extract<Node, { type: 'table' }> = node;
    node = table.fields[key] ?? Object.values(table.tag?.variants ?? {}).find((v) => key in v.fields)?.fields[key];
  }
  return node;
}

/** The default declared on the node at a key path; a path without one is a programming error. */
export function defaultAt<T = unknown>(path: readonly string[], root: Node = superConfigSchema): T {
  const node = nodeAt(path, root);
  if (node?.default === undefined) throw new Error(`the config schema declares no default at ${path.join('.')}`);
  return node.default as T;
}
