/**
 * The headers of a model assertion (`systems/<label>/model` on ubuntu-seed): `key: value`
 * lines up to the first blank line. Only the grade and the names are read; the signature is
 * snapd's to check.
 */
export type Grade = 'dangerous' | 'signed' | 'secured';

export interface ModelInfo {
  model: string;
  brand: string;
  /** Ubuntu Core 16/18 models have no grade: they behave as signed. */
  grade: Grade;
}

export function parseModelHeaders(text: string): ModelInfo | undefined {
  const headers = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') break;
    const m = /^([a-z0-9-]+):\s*(.*)$/.exec(line);
    if (m) headers.set(m[1], m[2].trim());
  }
  if (headers.get('type') !== 'model') return undefined;
  const grade = headers.get('grade') ?? 'signed';
  if (grade !== 'dangerous' && grade !== 'signed' && grade !== 'secured') return undefined;
  return { model: headers.get('model') ?? '', brand: headers.get('brand-id') ?? '', grade };
}
