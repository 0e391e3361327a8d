/**
 * Real disk images for the image service's tests, made as an operator's tools make them:
 * sfdisk writes the GPT or MBR table, mkfs.vfat/mkfs.ext4 format at offsets, mtools puts the
 * model assertion in place. No mount, no loop device. Partitions that must stay untouched are
 * filled with random bytes so a changed byte shows.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const MiB = 1024 * 1024;
const SECTOR = 512;

export interface Extent {
  index: number;
  offset: number;
  size: number;
}

export interface TestImage {
  path: string;
  /** The FAT partition the service writes. */
  fat: Extent;
  /** Every other partition. */
  others: Extent[];
}

function sh(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { input, stdio: ['pipe', 'pipe', 'pipe'] }).toString();
}

function fillRandom(file: string, e: Extent, bytes = 256 * 1024): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.writeSync(fd, randomBytes(bytes), 0, bytes, e.offset);
    fs.writeSync(fd, randomBytes(bytes), 0, bytes, e.offset + e.size - bytes);
  } finally {
    fs.closeSync(fd);
  }
}

function mkfsVfat(file: string, e: Extent, label: string): void {
  // One sector per cluster: enough clusters for FAT32 whatever size mkfs.vfat would guess from the whole file.
  sh('mkfs.vfat', ['-F', '32', '-s', '1', '-n', label, '--offset', String(e.offset / SECTOR), file, String(e.size / 1024)]);
}

export function modelAssertion(grade: string | undefined, model = 'azure-iot-edge-test'): string {
  return [
    'type: model',
    'authority-id: test-brand',
    'series: 16',
    'brand-id: test-brand',
    `model: ${model}`,
    'architecture: amd64',
    'base: core24',
    ...(grade ? [`grade: ${grade}`] : []),
    'timestamp: 2026-01-01T00:00:00+00:00',
    'sign-key-sha3-384: AAAA',
    '',
    'AcLBXAQAAQoABgUCAAAAAAAA',
    '',
  ].join('\n');
}

export function mtoolsTarget(file: string, e: Extent): string {
  return `${file}@@${e.offset}`;
}

/**
 * An Ubuntu Core 20+ layout: BIOS boot, ubuntu-seed (FAT32, the model), ubuntu-boot, ubuntu-save,
 * ubuntu-data (ext4). `sizeMiB` (default 80) grows ubuntu-data, sparsely, to fill the disk.
 */
export function makeCoreImage(dir: string, opts: { grade?: string; name?: string; sizeMiB?: number } = {}): TestImage {
  const file = path.join(dir, opts.name ?? 'core.img');
  const sizeMiB = Math.max(80, opts.sizeMiB ?? 80);
  const parts = [
    { size: 1, type: '21686148-6449-6E6F-744E-656564454649', name: 'BIOS Boot' },
    { size: 48, type: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', name: 'ubuntu-seed' },
    { size: 8, type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', name: 'ubuntu-boot' },
    { size: 4, type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', name: 'ubuntu-save' },
    { size: 16 + sizeMiB - 80, type: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', name: 'ubuntu-data' },
  ];
  fs.writeFileSync(file, '');
  fs.truncateSync(file, sizeMiB * MiB);
  let start = 2048;
  const extents: Extent[] = [];
  const lines = ['label: gpt'];
  parts.forEach((p, i) => {
    const sectors = (p.size * MiB) / SECTOR;
    lines.push(`start=${start}, size=${sectors}, type=${p.type}, name="${p.name}"`);
    extents.push({ index: i + 1, offset: start * SECTOR, size: sectors * SECTOR });
    start += sectors;
  });
  sh('sfdisk', ['-q', file], `${lines.join('\n')}\n`);
  const [bios, seed, boot, save, data] = extents;
  mkfsVfat(file, seed, 'ubuntu-seed');
  const t = mtoolsTarget(file, seed);
  const model = path.join(dir, 'model');
  fs.writeFileSync(model, modelAssertion(opts.grade));
  sh('mmd', ['-i', t, '::systems', '::systems/20260101', '::snaps']);
  sh('mcopy', ['-i', t, model, '::systems/20260101/model']);
  fs.rmSync(model);
  fillRandom(file, bios, 64 * 1024);
  fillRandom(file, boot);
  sh('mkfs.ext4', ['-q', '-F', '-E', `offset=${save.offset}`, file, `${save.size / 1024}k`]);
  fillRandom(file, data);
  return { path: file, fat: seed, others: [bios, boot, save, data] };
}

/** A classic layout (Ubuntu server / Raspberry Pi OS): MBR, a FAT32 boot partition, an ext4 root. */
export function makeClassicImage(dir: string, name = 'classic.img'): TestImage {
  const file = path.join(dir, name);
  fs.writeFileSync(file, '');
  fs.truncateSync(file, 64 * MiB);
  sh('sfdisk', ['-q', file], 'label: dos\nstart=2048, size=81920, type=c, bootable\nstart=83968, size=40960, type=83\n');
  const boot = { index: 1, offset: 2048 * SECTOR, size: 81920 * SECTOR };
  const root = { index: 2, offset: 83968 * SECTOR, size: 40960 * SECTOR };
  mkfsVfat(file, boot, 'system-boot');
  const cfg = path.join(dir, 'config.txt');
  fs.writeFileSync(cfg, '[all]\nkernel=vmlinuz\n');
  sh('mcopy', ['-i', mtoolsTarget(file, boot), cfg, '::config.txt']);
  fs.rmSync(cfg);
  sh('mkfs.ext4', ['-q', '-F', '-E', `offset=${root.offset}`, file, `${root.size / 1024}k`]);
  fillRandom(file, root);
  return { path: file, fat: boot, others: [root] };
}

export function sha256Range(file: string, e: { offset: number; size: number }): string {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(MiB);
    for (let pos = e.offset; pos < e.offset + e.size; ) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, e.offset + e.size - pos), pos);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

export function xzDecompressFile(src: string, dest: string): void {
  execFileSync('sh', ['-c', 'xz -dc "$1" > "$2"', 'sh', src, dest]);
}

export function mtype(file: string, e: Extent, p: string): string {
  return sh('mtype', ['-i', mtoolsTarget(file, e), `::${p}`]);
}

export function mdir(file: string, e: Extent, p: string): string {
  return sh('mdir', ['-b', '-i', mtoolsTarget(file, e), `::${p}`]);
}

/** fsck.vfat -n on the partition's bytes (it takes no offset): exit 0 means a clean file system. */
export function fsckVfat(file: string, e: Extent, scratch: string): { ok: boolean; output: string } {
  const part = path.join(scratch, 'fat-partition.img');
  execFileSync('dd', [`if=${file}`, `of=${part}`, 'bs=1M', `skip=${e.offset}`, `count=${e.size}`, 'iflag=skip_bytes,count_bytes', 'conv=sparse', 'status=none']);
  try {
    return { ok: true, output: sh('fsck.vfat', ['-n', part]) };
  } catch (err) {
    const x = err as { stdout?: Buffer; stderr?: Buffer };
    return { ok: false, output: `${x.stdout?.toString() ?? ''}${x.stderr?.toString() ?? ''}` };
  } finally {
    fs.rmSync(part, { force: true });
  }
}
