/**
 * One device's image: the base opened read-only with file-disk recording writes in memory
 * (copy-on-write: the base is never copied, mounted or written), the device's files written
 * into its FAT partition through fatfs, then the whole disk (base blocks + recorded writes)
 * streamed through xz into the sink. Memory: the recorded FAT writes and the stream buffers.
 */
import { digestTap } from './disk/digest-tap';
import { promises as fs } from 'node:fs';
import { Transform, pipeline, type Readable } from 'node:stream';
import { FileDisk } from 'file-disk';
import { inspectBase, type BaseInfo } from './base/inspect';
import type { DeviceSpec } from './device/spec';
import { planWrites } from './write/plan';
import { finishFat } from './disk/fat-finish';
import { xzCompress, type XzOptions } from './xz';

export interface CustomizeOptions {
  /** A raw disk image (.img); an .img.xz is decompressed once when a base is registered. */
  basePath: string;
  spec: DeviceSpec;
  /** Consumes the compressed image (a file, a store's put); resolves once it is durable. */
  sink: (image: Readable) => Promise<unknown>;
  /** Fraction of the base read, 0..1. */
  onProgress?: (fraction: number) => void;
  xz?: XzOptions;
}

export interface CustomizeResult {
  base: BaseInfo;
  files: string[];
  /** Of the compressed image. */
  sha256: string;
  size: number;
}

const CHUNK = 1 << 20;

export async function customizeImage(options: CustomizeOptions): Promise<CustomizeResult> {
  const handle = await fs.open(options.basePath, 'r');
  try {
    const disk = new FileDisk(handle, true, true);
    const { info, volume } = await inspectBase(disk);
    const writes = planWrites(info, options.spec);
    for (const w of writes) await volume.writeFile(w.path, w.content);
    await finishFat(disk, info.partition);
    const capacity = await disk.getCapacity();
    let read = 0;
    let reported = -1;
    const progress = new Transform({
      transform(chunk: Buffer, _enc, done) {
        read += chunk.length;
        const pct = Math.floor((read / capacity) * 100);
        if (pct !== reported) {
          reported = pct;
          options.onProgress?.(read / capacity);
        }
        done(null, chunk);
      },
    });
    const counted = digestTap();
    const raw = await disk.getStream(0, null, CHUNK);
    const failures: Error[] = [];
    pipeline(raw, progress, () => undefined);
    pipeline(xzCompress(progress, options.xz), counted.stream, (e) => void (e && failures.push(e)));
    await options.sink(counted.stream);
    if (failures.length) throw failures[0];
    return { base: info, files: writes.map((w) => w.path), ...counted.result() };
  } finally {
    await handle.close();
  }
}
