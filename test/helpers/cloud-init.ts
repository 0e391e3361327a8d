/**
 * Debian's cloud-init (unpacked into .tmp/cloud-init-deb by test/env/install-deps.sh, never
 * installed): its schema check, and its own write_files module run on a cloud-config with every
 * path moved under a scratch root, as it would run on the device's first boot.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../../.tmp/cloud-init-deb');
const env = () => ({ ...process.env, PYTHONPATH: path.join(ROOT, 'usr/lib/python3/dist-packages') });

export function cloudInitSchema(file: string): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync('python3', [path.join(ROOT, 'usr/bin/cloud-init'), 'schema', '--config-file', file], { env: env(), stdio: 'pipe' }).toString() };
  } catch (e) {
    const x = e as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, output: `${x.stdout?.toString() ?? ''}${x.stderr?.toString() ?? ''}` };
  }
}

const WRITE_FILES = `
import sys
from cloudinit import util
from cloudinit.config import cc_write_files
cfg = util.load_yaml(open(sys.argv[1]).read())
files = cfg.get('write_files', [])
for f in files:
    f['path'] = sys.argv[2] + f['path']
cc_write_files.write_files('write_files', files, 'root:root')
`;

/** cloud-init's write_files of `file` under `root` (/var/snap/... becomes root/var/snap/...). */
export function cloudInitWriteFiles(file: string, root: string): void {
  execFileSync('python3', ['-c', WRITE_FILES, file, root], { env: env(), stdio: 'pipe' });
}
