/**
 * A FAT16/FAT32 file system inside one partition of a Disk, through fatfs, with a small
 * promise API of the few calls the writer needs. Writes go to the Disk, which (opened with
 * recordWrites over a read-only base) keeps them in memory: the base is never written.
 */
import type { Disk } from 'file-disk';
import * as fatfs from 'fatfs';
import type { Partition } from './partitions';

const SECTOR = 512;

export interface FatVolume {
  readdir(path: string): Promise<string[]>;
  readFile(path: string): Promise<Buffer>;
  /** Creates the missing parent directories. */
  writeFile(path: string, data: string | Buffer): Promise<void>;
  exists(path: string): Promise<boolean>;
}

type Callback<T> = (e: NodeJS.ErrnoException | null, v: T) => void;

function driver(disk: Disk, partition: Partition): fatfs.Driver {
  const base = partition.offset;
  return {
    sectorSize: SECTOR,
    numSectors: Math.floor(partition.size / SECTOR),
    readSectors(i, dest, cb) {
      disk.read(dest, 0, dest.length, base + i * SECTOR).then(() => cb(null, dest), (e: Error) => cb(e));
    },
    writeSectors(i, data, cb) {
      disk.write(data, 0, data.length, base + i * SECTOR).then(() => cb(null), (e: Error) => cb(e));
    },
  };
}

export async function openFatVolume(disk: Disk, partition: Partition): Promise<FatVolume> {
  const fs = await new Promise<fatfs.FileSystem>((resolve, reject) => {
    const created = fatfs.createFileSystem(driver(disk, partition), { ro: disk.readOnly && !disk.recordWrites, umask: 0o022 }, (e) => (e ? reject(e) : resolve(created)));
  });
  const call = <T>(fn: (cb: Callback<T>) => void) => new Promise<T>((resolve, reject) => fn((e, v) => (e ? reject(e) : resolve(v))));
  const volume: FatVolume = {
    readdir: (p) => call<string[]>((cb) => fs.readdir(p, cb)),
    readFile: (p) => call<Buffer>((cb) => fs.readFile(p, cb)),
    // fatfs's stat of a directory fails with ISDIR: that, too, means it exists.
    exists: (p) => call<boolean>((cb) => fs.stat(p, (e) => cb(null, !e || e.code === 'ISDIR'))),
    async writeFile(p, data) {
      const parts = p.split('/').filter(Boolean);
      for (let i = 1; i < parts.length; i++) {
        const dir = `/${parts.slice(0, i).join('/')}`;
        if (!(await volume.exists(dir))) await call<void>((cb) => fs.mkdir(dir, cb));
      }
      await call<void>((cb) => fs.writeFile(`/${parts.join('/')}`, data, cb));
    },
  };
  return volume;
}
