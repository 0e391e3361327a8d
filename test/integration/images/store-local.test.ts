import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { LocalDirectoryStore } from '../../../src/images/store/local-store';
import { until } from '../../helpers/until';
import { objectStoreContract, readAll, sha256 } from './store-contract';

let root: string;
beforeAll(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'store-local-'));
});
afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

describe('LocalDirectoryStore: the object store contract', () => {
  objectStoreContract(() => new LocalDirectoryStore({ root: path.join(root, 'contract') }));
});

describe('LocalDirectoryStore on disk', () => {
  const dir = () => path.join(root, 'disk');
  const store = () => new LocalDirectoryStore({ root: dir() });

  it('writes each object 0600 in folders 0700, under its root and nowhere else', async () => {
    await store().put('images/dev-1/out.img.xz', Buffer.from('secret'));
    expect((await fs.stat(path.join(dir(), 'images/dev-1/out.img.xz'))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.join(dir(), 'images/dev-1'))).mode & 0o777).toBe(0o700);
    expect(await fs.readdir(root)).not.toContain('out.img.xz');
  });

  it('leaves no temp file behind, after a good put or a failed one, and lists none while a put is under way', async () => {
    const s = store();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const slow = new Readable({
      read() {
        if (first) {
          first = false;
          this.push(Buffer.from('part one '));
        } else void gate.then(() => (this.push(Buffer.from('part two')), this.push(null)));
      },
    });
    const putting = s.put('t/slow', slow);
    // The temp file exists now, beside the target, and the store does not show it.
    const during = await until(async () => {
      const names = await fs.readdir(path.join(dir(), 't')).catch(() => []);
      return names.length > 0 && names;
    }, 'the temp file of the put');
    expect(await s.list('t/')).toEqual([]);
    expect(await s.head('t/slow')).toBeUndefined();
    release();
    expect(await putting).toEqual({ size: 17 });
    expect(during).toEqual([expect.stringMatching(/^\.slow\.[0-9a-f]+\.tmp$/)]);
    expect(await fs.readdir(path.join(dir(), 't'))).toEqual(['slow']);
  });

  it('a reader that opened an object keeps what it opened across a replace and a delete', async () => {
    const s = store();
    await s.put('k/obj', Buffer.alloc(200_000, 'a'));
    const reading = await s.get('k/obj');
    await s.put('k/obj', Buffer.alloc(10, 'b'));
    await s.delete('k/obj');
    expect(sha256(await readAll(reading))).toBe(sha256(Buffer.alloc(200_000, 'a')));
  });

  it('says a key clashes when one key would be the folder of another', async () => {
    const s = store();
    await s.put('clash/a', Buffer.from('file'));
    await expect(s.put('clash/a/b', Buffer.from('x'))).rejects.toThrow(/clashes with another key/);
    await s.put('clash2/a/b', Buffer.from('x'));
    await expect(s.put('clash2/a', Buffer.from('x'))).rejects.toThrow(/clashes with another key/);
    await expect(s.get('clash2/a')).rejects.toThrow('no object "clash2/a"');
    expect(await s.list('clash')).toEqual(['clash/a', 'clash2/a/b']);
  });

  it('a symlink planted in the store cannot lead a key outside it', async () => {
    const outside = path.join(root, 'outside');
    await fs.mkdir(outside, { recursive: true });
    await fs.writeFile(path.join(outside, 'secret'), 'outside');
    await fs.mkdir(dir(), { recursive: true });
    await fs.symlink(outside, path.join(dir(), 'link'));
    const s = store();
    await expect(s.get('link/secret')).rejects.toThrow(/symbolic link/);
    await expect(s.put('link/new', Buffer.from('x'))).rejects.toThrow(/symbolic link/);
    expect(await fs.readdir(outside)).toEqual(['secret']);
    await expect(s.list('link/')).rejects.toThrow(/symbolic link/);
    expect(await s.list('')).not.toContain('link/secret');
    await expect(s.head('link/secret')).rejects.toThrow(/symbolic link/);
  });

  it('has no presigned URLs (the service signs its own)', async () => {
    expect(await store().presignedGet('images/x', 60)).toBeUndefined();
  });

  it('lists nothing and heads nothing when its root does not exist yet', async () => {
    const s = new LocalDirectoryStore({ root: path.join(root, 'not-yet') });
    expect(await s.list('')).toEqual([]);
    expect(await s.head('a')).toBeUndefined();
  });
});
