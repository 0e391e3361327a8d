/**
 * One call of the image service's REST API with its bearer token, as the tests make it: a stream
 * body is sent as octets (half duplex), a string as given, anything else as JSON.
 */
import { Readable } from 'node:stream';

export type Json = Record<string, any>;

export async function imageApi(
  url: string,
  token: string,
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Json }> {
  const all: Record<string, string> = { authorization: `Bearer ${token}`, ...headers };
  const init: RequestInit & { duplex?: string } = { method, headers: all };
  if (body instanceof Readable) {
    init.body = Readable.toWeb(body) as ReadableStream;
    init.duplex = 'half';
    all['content-type'] ??= 'application/octet-stream';
  } else if (typeof body === 'string') {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    all['content-type'] = 'application/json';
  }
  const res = await fetch(`${url}${p}`, init);
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Json) : {} };
}
