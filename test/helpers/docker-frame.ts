/** One frame of Docker's multiplexed log stream: [stream, 0, 0, 0, size(4, BE)] + payload. */
export function dockerFrame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
