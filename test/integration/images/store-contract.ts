import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { isObjectNotFound, ObjectNotFoundError, type ObjectStore } from '../../../src/images/store/object-store';

/** What every ObjectStore must do, run against each implementation by its own suite. */
export async function readAll(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A stream of `total` pseudo-random bytes in `chunk`-sized pieces, made as it is read (its length is not known ahead). */
export function generated(total: number, chunk = 256 * 1024, seed = 'seed'): { stream: Readable; sha256: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  let block = createHash('sha256').update(seed).digest();
  const stream = new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const n = Math.min(chunk, total - sent);
      const buf = Buffer.alloc(n);
      for (let o = 0; o < n; o += block.length) {
        block = createHash('sha256').update(block).digest();
        block.copy(buf, o);
      }
      sent += n;
      hash.update(buf);
      this.push(buf);
    },
  });
  return { stream, sha256: () => hash.digest('hex') };
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function objectStoreContract(store: () => ObjectStore): void {
  it('puts a buffer and a stream, gets them back byte for byte, with their size', async () => {
    const s = store();
    const small = randomBytes(1000);
    expect(await s.put('c/small.bin', small)).toEqual({ size: 1000 });
    expect(await readAll(await s.get('c/small.bin'))).toEqual(small);
    const big = generated(3 * 1024 * 1024 + 17);
    expect(await s.put('c/big.bin', big.stream, { contentType: 'application/octet-stream' })).toEqual({ size: 3 * 1024 * 1024 + 17 });
    expect(sha256(await readAll(await s.get('c/big.bin')))).toBe(big.sha256());
    expect(await s.put('c/empty', Buffer.alloc(0))).toEqual({ size: 0 });
    expect(await readAll(await s.get('c/empty'))).toEqual(Buffer.alloc(0));
  });

  it('replaces an object whole', async () => {
    const s = store();
    await s.put('r/obj', Buffer.from('first version, the longer one'));
    await s.put('r/obj', Buffer.from('second'));
    expect((await readAll(await s.get('r/obj'))).toString()).toBe('second');
    expect((await s.head('r/obj'))?.size).toBe(6);
  });

  it('heads an object: size and modification time; undefined when missing', async () => {
    const s = store();
    const before = Date.now() - 5_000;
    await s.put('h/obj', Buffer.from('12345'));
    const h = await s.head('h/obj');
    expect(h?.size).toBe(5);
    expect(typeof h?.modified.getTime()).toBe('number');
    expect(h!.modified.getTime()).toBeGreaterThan(before);
    expect(await s.head('h/missing')).toBeUndefined();
    expect(await s.head('h')).toBeUndefined();
  });

  it('rejects a get of a missing key with the typed not-found error naming the key', async () => {
    const s = store();
    const e = await s.get('nope/missing.img').catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ObjectNotFoundError);
    expect(isObjectNotFound(e)).toBe(true);
    expect((e as ObjectNotFoundError).key).toBe('nope/missing.img');
    expect((e as ObjectNotFoundError).httpStatus).toBe(404);
    expect((e as Error).message).toBe('no object "nope/missing.img" in the image store');
  });

  it('lists by string prefix, sorted, and deletes (a missing key is no error)', async () => {
    const s = store();
    for (const k of ['l/jobs/b.json', 'l/jobs/a.json', 'l/jobs2/x.json', 'l/img/a/1.img.xz', 'l/top']) await s.put(k, Buffer.from(k));
    expect(await s.list('l/jobs/')).toEqual(['l/jobs/a.json', 'l/jobs/b.json']);
    expect(await s.list('l/jobs')).toEqual(['l/jobs/a.json', 'l/jobs/b.json', 'l/jobs2/x.json']);
    expect(await s.list('l/img/')).toEqual(['l/img/a/1.img.xz']);
    expect(await s.list('l/')).toEqual(['l/img/a/1.img.xz', 'l/jobs/a.json', 'l/jobs/b.json', 'l/jobs2/x.json', 'l/top']);
    expect(await s.list('l/none/')).toEqual([]);
    expect(await s.list('')).toEqual(expect.arrayContaining(['l/top', 'l/jobs/a.json']));
    await s.delete('l/jobs/a.json');
    await s.delete('l/jobs/a.json');
    await s.delete('l/never/was');
    expect(await s.list('l/jobs/')).toEqual(['l/jobs/b.json']);
    expect(await s.head('l/jobs/a.json')).toBeUndefined();
  });

  it.each([
    // %# in the title: the key itself can be 500 characters long.
    ['', 'it is empty'],
    ['/etc/passwd', 'it is an absolute path'],
    ['../outside', 'it has a `..` segment'],
    ['a/../../outside', 'it has a `..` segment'],
    ['a/./b', 'it has a `.` segment'],
    ['a//b', 'it has an empty path segment'],
    ['a/', 'it has an empty path segment'],
    ['.hidden', 'a segment starts with `.`'],
    ['a\\..\\b', 'it has a character outside'],
    ['a\0b', 'it has a character outside'],
    ['caf\u00e9', 'it has a character outside'],
    ['x'.repeat(513), 'it is longer than 512 characters'],
    [`${'x'.repeat(201)}/y`, 'a segment is longer than 200 characters'],
  ])('refuses bad key %# on every verb, naming why: %s', async (key, why) => {
    const s = store();
    for (const verb of [
      () => s.put(key, Buffer.from('x')),
      () => s.get(key),
      () => s.head(key),
      () => s.delete(key),
      () => s.presignedGet(key, 60),
    ]) {
      const e = await verb().catch((x: unknown) => x);
      expect((e as Error).message).toContain(why);
      expect((e as { httpStatus?: number }).httpStatus).toBe(400);
    }
  });

  it('refuses a list prefix that climbs or is absolute', async () => {
    const s = store();
    for (const p of ['../', '/abs', 'a/../', 'a//']) await expect(s.list(p)).rejects.toThrow(/invalid object key/);
    await expect(s.list('..')).rejects.toThrow(/`\.\.` segment/);
  });

  it('a put whose stream fails leaves the previous object as it was', async () => {
    const s = store();
    await s.put('f/obj', Buffer.from('good'));
    let n = 0;
    const failing = new Readable({
      read() {
        if (n++ < 3) this.push(Buffer.alloc(64 * 1024, 1));
        else this.destroy(new Error('source broke'));
      },
    });
    await expect(s.put('f/obj', failing)).rejects.toThrow('source broke');
    expect((await readAll(await s.get('f/obj'))).toString()).toBe('good');
    expect(await s.list('f/')).toEqual(['f/obj']);
  });
}
