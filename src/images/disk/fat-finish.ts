/**
 * What fatfs leaves undone after writes, done so that `fsck.vfat -n` finds a clean volume: the
 * other FAT copies mirrored from the first, FAT32's FSInfo free count, and the `..` entry of a
 * directory made in the root (fatfs points it at the root cluster; FAT wants 0).
 */
import type { Disk } from 'file-disk';
import type { Partition } from './partitions';

interface Bpb {
  bytesPerSector: number;
  sectorsPerCluster: number;
  reserved: number;
  fats: number;
  fatBytes: number;
  fat32: boolean;
  rootCluster: number;
  rootDirStart: number;
  rootDirBytes: number;
  dataStart: number;
  clusters: number;
  fsInfo: number;
}

const CHUNK = 64 * 1024;

async function read(disk: Disk, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  await disk.read(buf, 0, length, offset);
  return buf;
}

function parseBpb(b: Buffer): Bpb {
  const bytesPerSector = b.readUInt16LE(11);
  const sectorsPerCluster = b.readUInt8(13);
  const reserved = b.readUInt16LE(14);
  const fats = b.readUInt8(16);
  const rootEntries = b.readUInt16LE(17);
  const total = b.readUInt16LE(19) || b.readUInt32LE(32);
  const fat16Size = b.readUInt16LE(22);
  const fatSectors = fat16Size || b.readUInt32LE(36);
  const rootDirSectors = Math.ceil((rootEntries * 32) / bytesPerSector);
  const dataSector = reserved + fats * fatSectors + rootDirSectors;
  return {
    bytesPerSector,
    sectorsPerCluster,
    reserved,
    fats,
    fatBytes: fatSectors * bytesPerSector,
    fat32: fat16Size === 0,
    rootCluster: fat16Size === 0 ? b.readUInt32LE(44) : 0,
    rootDirStart: (reserved + fats * fatSectors) * bytesPerSector,
    rootDirBytes: rootDirSectors * bytesPerSector,
    dataStart: dataSector * bytesPerSector,
    clusters: Math.floor((total - dataSector) / sectorsPerCluster),
    fsInfo: fat16Size === 0 ? b.readUInt16LE(48) : 0,
  };
}

export async function finishFat(disk: Disk, partition: Partition): Promise<void> {
  const base = partition.offset;
  const bpb = parseBpb(await read(disk, base, 512));
  const fat1 = base + bpb.reserved * bpb.bytesPerSector;
  const entry = bpb.fat32 ? 4 : 2;
  let free = 0;
  let firstFree = 0;
  for (let off = 0; off < bpb.fatBytes; off += CHUNK) {
    const len = Math.min(CHUNK, bpb.fatBytes - off);
    const first = await read(disk, fat1 + off, len);
    for (let k = 1; k < bpb.fats; k++) {
      const copyAt = fat1 + k * bpb.fatBytes + off;
      if (!first.equals(await read(disk, copyAt, len))) await disk.write(first, 0, len, copyAt);
    }
    for (let i = 0; i < len; i += entry) {
      const cluster = (off + i) / entry;
      if (cluster < 2 || cluster >= bpb.clusters + 2) continue;
      const v = bpb.fat32 ? first.readUInt32LE(i) & 0x0fffffff : first.readUInt16LE(i);
      if (v === 0) {
        free++;
        if (!firstFree) firstFree = cluster;
      }
    }
  }
  if (bpb.fat32 && bpb.fsInfo) {
    const at = base + bpb.fsInfo * bpb.bytesPerSector;
    const info = await read(disk, at, 512);
    if (info.readUInt32LE(0) === 0x41615252 && info.readUInt32LE(484) === 0x61417272) {
      info.writeUInt32LE(free, 488);
      info.writeUInt32LE(firstFree || 0xffffffff, 492);
      await disk.write(info, 0, 512, at);
    }
  }
  await fixDotDotInRoot(disk, base, bpb, fat1);
}

async function fixDotDotInRoot(disk: Disk, base: number, bpb: Bpb, fat1: number): Promise<void> {
  const clusterBytes = bpb.sectorsPerCluster * bpb.bytesPerSector;
  const clusterAt = (c: number) => base + bpb.dataStart + (c - 2) * clusterBytes;
  const rootExtents: Array<[number, number]> = [];
  if (bpb.fat32) {
    for (let c = bpb.rootCluster, n = 0; c >= 2 && c < 0x0ffffff8 && n < bpb.clusters; n++) {
      rootExtents.push([clusterAt(c), clusterBytes]);
      c = (await read(disk, fat1 + c * 4, 4)).readUInt32LE(0) & 0x0fffffff;
    }
  } else {
    rootExtents.push([base + bpb.rootDirStart, bpb.rootDirBytes]);
  }
  for (const [at, len] of rootExtents) {
    const dir = await read(disk, at, len);
    for (let i = 0; i < len; i += 32) {
      if (dir[i] === 0) return;
      const attr = dir[i + 11];
      if (dir[i] === 0xe5 || attr === 0x0f || !(attr & 0x10) || dir[i] === 0x2e) continue;
      const cluster = (dir.readUInt16LE(i + 20) << 16) | dir.readUInt16LE(i + 26);
      if (cluster < 2) continue;
      const child = clusterAt(cluster);
      const head = await read(disk, child, 64);
      if (head.toString('latin1', 32, 43) === '..         ' && (head.readUInt16LE(32 + 20) || head.readUInt16LE(32 + 26))) {
        head.writeUInt16LE(0, 32 + 20);
        head.writeUInt16LE(0, 32 + 26);
        await disk.write(head, 32, 32, child + 32);
      }
    }
  }
}
