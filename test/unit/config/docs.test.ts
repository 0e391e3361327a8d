import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { superConfigSchema } from '../../../src/config/schema/super-config';
import type { Node } from '../../../src/config/schema/types';

function keyPaths(n: Node, prefix: string, out: string[]): string[] {
  if (n.type !== 'table') return out;
  const fields = { ...n.fields, ...Object.assign({}, ...Object.values(n.tag?.variants ?? {}).map((v) => v.fields)) } as Record<string, Node>;
  if (n.tag) out.push(`${prefix}${n.tag.key}`);
  for (const [k, f] of Object.entries(fields)) {
    out.push(`${prefix}${k}`);
    keyPaths(f, `${prefix}${k}.`, out);
  }
  return out;
}

describe('docs/config.md', () => {
  it('documents every key of the schema', () => {
    const doc = readFileSync(path.resolve(__dirname, '../../../docs/config.md'), 'utf8');
    const missing = keyPaths(superConfigSchema, '', []).filter((k) => !doc.includes(`\`${k}\``));
    expect(missing).toEqual([]);
  });
});
