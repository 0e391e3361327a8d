/**
 * createOptions as IoT Hub carries them: a JSON string, split over `createOptions`,
 * `createOptions01` ... `createOptions99` when longer than a twin value may be.
 */
import { checkCreateOptionsShape } from './create-options-shape';
import { DeploymentError } from './errors';

const CHUNK = /^createOptions(\d{2})$/;

export function joinCreateOptions(settings: Record<string, unknown>, field: string): Record<string, unknown> {
  const chunks: { index: number; key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(settings)) {
    const m = CHUNK.exec(key);
    const index = key === 'createOptions' ? 0 : m ? Number(m[1]) : -1;
    if (index < 0) continue;
    if (index === 0 && key !== 'createOptions') throw new DeploymentError('chunks are numbered from 01', { field: `${field}.${key}` });
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') {
      // A non-string object is tolerated when it is the only part: people write it by hand.
      if (index === 0 && typeof value === 'object' && !Array.isArray(value) && !Object.keys(settings).some((k) => CHUNK.test(k))) {
        return shaped({ ...(value as Record<string, unknown>) }, `${field}.${key}`);
      }
      throw new DeploymentError('must be a JSON string', { field: `${field}.${key}`, hint: 'write createOptions as a string holding JSON' });
    }
    chunks.push({ index, key, text: value });
  }
  chunks.sort((a, b) => a.index - b.index);
  chunks.forEach((c, i) => {
    const expected = chunks[0]?.index === 0 ? i : i + 1;
    if (c.index !== expected) {
      const missing = expected === 0 ? 'createOptions' : `createOptions${String(expected).padStart(2, '0')}`;
      throw new DeploymentError(`${missing} is missing before ${c.key}`, { field, hint: 'number the createOptions chunks without gaps' });
    }
  });
  const text = chunks.map((c) => c.text).join('');
  if (!text.trim() || text.trim().toLowerCase() === 'null') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new DeploymentError(`createOptions is not valid JSON (${(e as Error).message})`, {
      field: `${field}.createOptions`,
      hint: 'createOptions must be a JSON object written as a string, e.g. "{\\"HostConfig\\":{}}"',
      cause: e,
    });
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DeploymentError('createOptions must be a JSON object', { field: `${field}.createOptions` });
  }
  return shaped(parsed as Record<string, unknown>, `${field}.createOptions`);
}

function shaped(options: Record<string, unknown>, field: string): Record<string, unknown> {
  checkCreateOptionsShape(options, field);
  return options;
}
