/**
 * Distinct local images for collector tests and the bench. `docker import` of the same tar gives
 * the same image id whatever the tag, so each image here carries a file of its own: a tar of
 * [that file][base entries][end]. With `runnable`, the base is busybox's rootfs (exported once
 * from edge-test/busybox:1); without, the image holds that one file (enough for GC, not to run).
 */
import type Docker from 'dockerode';
import { Readable } from 'node:stream';

const BLOCK = 512;

/** One ustar entry (header and padded data) for a regular file. */
export function tarEntry(name: string, content: Buffer, mode = 0o644): Buffer {
  const header = Buffer.alloc(BLOCK);
  const put = (text: string, offset: number, length: number) => header.write(text.slice(0, length), offset, length, 'ascii');
  const octal = (n: number, length: number) => n.toString(8).padStart(length - 1, '0') + '\0';
  put(name, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(content.length, 12), 124, 12);
  put(octal(Math.floor(Date.UTC(2026, 0, 1) / 1000), 12), 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const b of header) sum += b;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  const padding = Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK);
  return Buffer.concat([header, content, padding]);
}

const END = Buffer.alloc(2 * BLOCK);

/** Imports a tar as an image tagged `tag`; resolves with its id. */
export async function importTar(docker: Docker, tag: string, tar: Buffer, changes: string[] = []): Promise<string> {
  const colon = tag.lastIndexOf(':');
  const [repo, t] = colon > tag.lastIndexOf('/') ? [tag.slice(0, colon), tag.slice(colon + 1)] : [tag, 'latest'];
  const stream = (await docker.importImage(Readable.from([tar]), {
    repo,
    tag: t,
    ...(changes.length ? { changes } : {}),
  }));
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(stream, (err: Error | null, out: { error?: string }[]) => {
      const failed = err ?? (out.find((o) => o.error) ? new Error(out.find((o) => o.error)!.error) : null);
      return failed ? reject(failed) : resolve();
    }),
  );
  return (await docker.getImage(tag).inspect()).Id;
}

/** busybox's root filesystem as a tar stream body (no end marker), from the engine's test image. */
export async function busyboxRootfs(docker: Docker, image = 'edge-test/busybox:1'): Promise<Buffer> {
  const c = await docker.createContainer({ Image: image, Cmd: ['true'] });
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of (await c.export()) as unknown as AsyncIterable<Buffer>) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks);
  } finally {
    await c.remove({ force: true });
  }
}

export interface ImageMaker {
  /** A new image of its own (distinct id) under `tag`; `size` bytes of payload. */
  make(tag: string, size?: number): Promise<string>;
}

export async function imageMaker(docker: Docker, options: { runnable: boolean }): Promise<ImageMaker> {
  const base = options.runnable ? await busyboxRootfs(docker) : END;
  const changes = options.runnable ? ['CMD ["/bin/sh"]', 'ENV PATH=/bin'] : [];
  let n = 0;
  return {
    make: (tag, size = 64) => {
      const payload = Buffer.alloc(size, `${tag} ${n++} ${process.hrtime.bigint()}\n`);
      return importTar(docker, tag, Buffer.concat([tarEntry('gc-id', payload), base, END]), changes);
    },
  };
}
