/** The project's version from package.json, found by walking up from this file (tsc or bundled layout). */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

export function packageVersion(start = __dirname): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'azure-iot-edge' && pkg.version) return pkg.version;
    } catch {
      // no package.json here: keep walking up
    }
    if (path.dirname(dir) === dir) return 'unknown';
  }
}
