/**
 * Base64 keys as IoT Hub, DPS and their tools write them: with or without the "=" padding
 * (upstream's config tool accepts both). Anything else is not base64.
 */
export function decodeBase64Key(text: string): Buffer | undefined {
  const m = /^([A-Za-z0-9+/]+)(={0,2})$/.exec(text);
  if (!m) return undefined;
  const body = m[1].length;
  const padded = m[2].length > 0;
  if (padded ? (body + m[2].length) % 4 !== 0 : body % 4 === 1) return undefined;
  const bytes = Buffer.from(m[1], 'base64');
  // Node ignores stray low bits in the last character; a key copied wrong must not pass.
  return bytes.toString('base64').replace(/=+$/, '') === m[1] ? bytes : undefined;
}

export function isBase64Key(text: string): boolean {
  return decodeBase64Key(text) !== undefined;
}
