/**
 * The tested snap is the shipped snap's twin: the snap-local build (snap/local/build.sh) holds
 * everything snap/snapcraft.yaml's parts stage, and nothing they exclude. Each `stage:` entry is
 * read by the same stage-entries.js the build uses and matched against the built .snap's listing;
 * an entry that matches nothing fails. Bundled binaries must run on core24 (glibc <= 2.39).
 * Slow by nature (the build is about a minute, the first one also downloads Debian's engine).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const OUT = path.join(ROOT, '.tmp', 'stage-coverage');

jest.setTimeout(15 * 60_000);

function run(cmd: string, args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') } });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A stage glob as snapcraft reads it: `*` within one path segment; a directory brings its contents. */
function stageMatcher(glob: string): (file: string) => boolean {
  const re = new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*')}(/.*)?$`);
  return (file) => re.test(file);
}

let files: string[] = [];
let snapFile = '';

beforeAll(() => {
  mkdirSync(OUT, { recursive: true });
  const built = run(path.join(ROOT, 'snap', 'local', 'build.sh'), [OUT]);
  if (built.code !== 0) throw new Error(`snap/local/build.sh failed: ${built.stderr.trim().slice(-2000)}`);
  snapFile = built.stdout.trim().split('\n').pop()!;
  const listed = run('unsquashfs', ['-l', '-d', '', snapFile]);
  if (listed.code !== 0) throw new Error(`unsquashfs -l ${snapFile}: ${listed.stderr}`);
  files = listed.stdout.split('\n').map((l) => l.replace(/^\//, '').trim()).filter(Boolean);
});

const entries = (): Array<[string, string]> =>
  run('node', [path.join(ROOT, 'snap', 'local', 'stage-entries.js'), path.join(ROOT, 'snap', 'snapcraft.yaml')])
    .stdout.trim()
    .split('\n')
    .map((l) => l.split('\t') as [string, string]);

describe('snap-local is the twin of snapcraft.yaml', () => {
  it('reads stage entries of both parts', () => {
    const parts = new Set(entries().map(([p]) => p));
    expect([...parts].sort()).toEqual(['appliance', 'docker-engine']);
  });

  it.each(entries().filter(([, e]) => !e.startsWith('-')))('%s stages %s', (_part, entry) => {
    const isMatch = stageMatcher(entry);
    expect(files.filter(isMatch).length).toBeGreaterThan(0);
  });

  it.each(entries().filter(([, e]) => e.startsWith('-')))('%s leaves out %s', (_part, entry) => {
    expect(files.filter(stageMatcher(entry.slice(1)))).toEqual([]);
  });

  it('bundles the engine the real snap ships: docker 26.1, containerd 1.7 (runc 1.1: the VM test, it needs glibc 2.38)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stage-coverage-'));
    try {
      const x = run('unsquashfs', ['-q', '-n', '-d', path.join(dir, 'x'), snapFile, 'usr/sbin/dockerd', 'usr/bin/containerd', 'usr/sbin/runc']);
      expect(x.code).toBe(0);
      expect(run(path.join(dir, 'x', 'usr', 'sbin', 'dockerd'), ['--version']).stdout).toMatch(/^Docker version 26\.1\./);
      expect(run(path.join(dir, 'x', 'usr', 'bin', 'containerd'), ['--version']).stdout).toMatch(/ 1\.7\./);
      // Everything bundled starts on core24's glibc (2.39)...
      const ok = run(path.join(ROOT, 'snap', 'local', 'check-glibc.sh'), [path.join(dir, 'x'), '2.39']);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
      // ...and the check does refuse a binary needing a newer one, naming it.
      const old = run(path.join(ROOT, 'snap', 'local', 'check-glibc.sh'), [path.join(dir, 'x'), '2.17']);
      expect(old.code).not.toBe(0);
      expect(old.stderr).toMatch(/check-glibc: usr\/sbin\/runc needs glibc 2\.\d+, newer than the base's 2\.17/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails staging on an entry that matches nothing, naming it, and on an unknown part', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'stage-missing-'));
    try {
      const yaml = path.join(dir, 'snapcraft.yaml');
      writeFileSync(yaml, 'name: x\nparts:\n  engine:\n    plugin: nil\n    stage:\n      - usr/bin/there\n      - usr/lib/*/libgone*\n');
      mkdirSync(path.join(dir, 'src', 'usr', 'bin'), { recursive: true });
      writeFileSync(path.join(dir, 'src', 'usr', 'bin', 'there'), '');
      const stage = path.join(ROOT, 'snap', 'local', 'stage-part.sh');
      const r = run(stage, [yaml, 'engine', path.join(dir, 'src'), path.join(dir, 'dest')]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/^stage-part: stage entry usr\/lib\/\*\/libgone\* of part engine matches nothing in /);
      const u = run(stage, [yaml, 'no-such-part', path.join(dir, 'src'), path.join(dir, 'dest')]);
      expect(u.code).toBe(2);
      expect(u.stderr).toMatch(/stage-entries: no part no-such-part in /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
