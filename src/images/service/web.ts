/**
 * The service's web page (src/images/web: plain HTML, CSS and one script, no build step) at `/`.
 * The files are public, read once at start; everything they do goes through the API with the
 * bearer token the user types in. The Content-Security-Policy allows only the page's own script,
 * style and API calls: no inline script, no other origin to fetch from, no framing.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { FastifyInstance } from 'fastify';

/** The page's files in the source tree: this file runs from src/images/service (ts-jest) or dist/images/service (tsc), both three levels under the root. */
export const WEB_DIR = path.resolve(__dirname, '..', '..', '..', 'src', 'images', 'web');

export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
  '/page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
};

export async function registerWebPage(app: FastifyInstance, dir: string = WEB_DIR): Promise<void> {
  for (const [route, { file, type }] of Object.entries(FILES)) {
    const body = await fs.readFile(path.join(dir, file));
    app.get(route, { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
      reply
        .header('content-type', type)
        .header('content-security-policy', PAGE_CSP)
        .header('x-content-type-options', 'nosniff')
        .header('x-frame-options', 'DENY')
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-cache')
        .send(body),
    );
  }
}
