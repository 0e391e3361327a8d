/** Reads a request body as JSON, with a size limit and upstream's content-type rule. */
import type { IncomingMessage } from 'node:http';
import { BadRequestError } from '../../errors';
import { HttpError } from './errors';

/** Deployments carry createOptions; a few MiB is far above any real one. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw new HttpError(413, `request body larger than ${limit} bytes`);
    chunks.push(buf);
  }
  if (size === 0) return undefined;
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== '' && type !== 'application/json') {
    throw new HttpError(415, 'request body must be application/json');
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new BadRequestError(`request body is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
}

/** `body[key]` as a string; undefined when absent or null, a 400 naming the key when not a string. */
export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BadRequestError(`"${key}" must be a string`);
  return v;
}
