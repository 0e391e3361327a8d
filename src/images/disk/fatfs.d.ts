// fatfs ships no types: the driver and the callback calls src/images/disk/fat-volume.ts uses.
declare module 'fatfs' {
  type Cb<T = void> = (e: NodeJS.ErrnoException | null, v: T) => void;
  interface Driver {
    sectorSize: number;
    numSectors: number;
    readSectors(i: number, dest: Buffer, cb: (e: Error | null, d?: Buffer) => void): void;
    writeSectors?: ((i: number, data: Buffer, cb: (e: Error | null) => void) => void) | null;
  }
  interface FileSystem {
    readdir(path: string, cb: Cb<string[]>): void;
    readFile(path: string, cb: Cb<Buffer>): void;
    writeFile(path: string, data: string | Buffer, cb: Cb): void;
    mkdir(path: string, cb: Cb): void;
    stat(path: string, cb: Cb<unknown>): void;
  }
  function createFileSystem(driver: Driver, opts: { ro?: boolean; umask?: number }, cb: (e?: Error | null) => void): FileSystem;
}
