/** The page's routes through the service over loopback: what is public, its headers, and what its files never do. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeClock } from '../../../../src/util/clock';
import { memoryLogger } from '../../../../src/util/log';
import { createImageService, type ImageService } from '../../../../src/images/service';
import { PAGE_CSP, WEB_DIR } from '../../../../src/images/service/web';
import { LocalDirectoryStore } from '../../../../src/images/store/local-store';

let dir: string;
let service: ImageService;
let base: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'web-'));
  service = await createImageService({ store: new LocalDirectoryStore({ root: path.join(dir, 'store') }), cacheDir: path.join(dir, 'cache'), token: 'unit-token-0123456789abcdef', clock: new FakeClock(0), logger: memoryLogger() });
  base = await service.app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await service.app.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the web page', () => {
  it('is served without the token, under its CSP, while the API still wants the token', async () => {
    for (const [url, type] of [['/', 'text/html'], ['/page.js', 'text/javascript'], ['/page.css', 'text/css']]) {
      const r = await fetch(base + url);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toContain(type);
      expect(r.headers.get('content-security-policy')).toBe(PAGE_CSP);
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    }
    expect(PAGE_CSP).not.toMatch(/unsafe-|\*/);
    expect((await fetch(`${base}/v1/images`)).status).toBe(401);
    expect((await fetch(`${base}/v1/bases`)).status).toBe(401);
    // Only the three files are routes: nothing else of the tree is reachable (an unknown path wants the token, like the API).
    expect((await fetch(`${base}/page.js%2F..%2F..%2Fpackage.json`)).status).toBe(401);
  });

  it('has no inline script and builds its DOM from text only', () => {
    const html = fs.readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    const js = fs.readFileSync(path.join(WEB_DIR, 'page.js'), 'utf8');
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(js).not.toMatch(/localStorage|document\.cookie/);
  });
});
