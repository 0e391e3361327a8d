/**
 * A small schema language for the super-config: every key has a type, an optional default,
 * allowed values, and flags saying whether its value is secret and whether this appliance can
 * honour it. One tree (./super-config.ts) describes the whole file; the validator, the typed
 * view, the redactor and the docs all read that tree.
 */
export type Format =
  | 'uri' // any absolute URI (upstream `Url`)
  | 'key-location' // file:// or pkcs11: URI of a private key (upstream `PreloadedKeyLocation`)
  | 'base64'
  | 'hostname'
  | 'duration' // "1d", "12h", "1d 12h": numbers and units (humantime, as upstream)
  | 'whole-days' // a duration that is a whole number of days ("1d", "1w")
  | 'time-of-day' // "HH:MM", 24-hour
  | 'percent'; // "80%"

interface Common {
  /** One line for docs and error hints. */
  doc?: string;
  /** Value used when the key is absent. */
  default?: unknown;
  /** Never echoed in errors, redacted in support bundles. */
  secret?: boolean;
  /** Why this appliance cannot honour the key: a present value is refused with this reason. */
  unsupported?: string;
}

export interface StringNode extends Common {
  type: 'string';
  enum?: readonly string[];
  format?: Format;
}
export interface IntegerNode extends Common {
  type: 'integer';
  min?: number;
  max?: number;
}
export interface BooleanNode extends Common {
  type: 'boolean';
}
/** A TOML table with known keys; `tag` picks extra keys by the value of one key (upstream's serde `tag`). */
export interface TableNode extends Common {
  type: 'table';
  fields: Record<string, Node>;
  required?: readonly string[];
  tag?: TagSpec;
  /** Cross-key rules the field types cannot say; returns problems as [relative key, message]. */
  check?: (table: Record<string, unknown>) => Array<[string | undefined, string]>;
}
export interface TagSpec {
  key: string;
  /** May the tag key be absent? Then only the base fields apply. */
  optional?: boolean;
  variants: Record<string, Variant>;
}
export interface Variant {
  fields: Record<string, Node>;
  required?: readonly string[];
  unsupported?: string;
}
/** A table whose keys are free (names, ids) and whose values share one schema. */
export interface MapNode extends Common {
  type: 'map';
  values: Node;
}
export interface ArrayNode extends Common {
  type: 'array';
  items: Node;
}
/** Anything that is a table (docker createOptions): passed through as it is. */
export interface AnyTableNode extends Common {
  type: 'any-table';
}
/** One of several shapes, chosen by the TOML type of the value (string, integer, table...). */
export interface EitherNode extends Common {
  type: 'either';
  options: readonly Node[];
}

export type Node = StringNode | IntegerNode | BooleanNode | TableNode | MapNode | ArrayNode | AnyTableNode | EitherNode;

export interface ConfigIssue {
  /** Key path from the document root, e.g. ["provisioning", "authentication", "method"]. */
  path: string[];
  message: string;
  hint?: string;
  /** error: the file is wrong; unsupported: well-formed, but this appliance cannot honour it. */
  kind: 'error' | 'unsupported';
}
