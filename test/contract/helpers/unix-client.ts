/** A minimal HTTP/1.1 client over a unix socket, for tests of the management and workload APIs. */
import * as http from 'node:http';

export interface UnixResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The body parsed as JSON; undefined when it is empty. */
  json: unknown;
}

export function unixRequest(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<UnixResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(
      {
        socketPath,
        method,
        path,
        headers: {
          ...(payload !== undefined
            ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }
            : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          const text = buf.toString('utf8');
          let json: unknown;
          if (text !== '' && /json/.test(String(res.headers['content-type']))) json = JSON.parse(text);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text, json });
        });
      },
    );
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Splits Docker's multiplexed log stream into its frames' text. */
export function demuxDockerStream(buf: Buffer): { stream: number; text: string }[] {
  const frames: { stream: number; text: string }[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    frames.push({ stream: buf[i], text: buf.subarray(i + 8, i + 8 + size).toString('utf8') });
    i += 8 + size;
  }
  return frames;
}
