/** A JSON object: not null, not an array (what a request body or a manifest section must be). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
