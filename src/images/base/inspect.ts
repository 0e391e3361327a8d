/**
 * What a base image is and where a device's files go: an Ubuntu Core 20+ image writes to its
 * `ubuntu-seed` partition and has a model grade; a classic image (Ubuntu server, Raspberry Pi
 * OS) writes a cloud-init NoCloud seed to its FAT boot partition.
 */
import type { Disk } from 'file-disk';
import { BaseImageError } from '../errors';
import { openFatVolume, type FatVolume } from '../disk/fat-volume';
import { readPartitionTable, type Partition, type PartitionTable } from '../disk/partitions';
import { parseModelHeaders, type ModelInfo } from './model';

export type BaseInfo =
  | { kind: 'core'; table: PartitionTable['kind']; partition: Partition; model: ModelInfo; system: string }
  | { kind: 'classic'; table: PartitionTable['kind']; partition: Partition };

/** MBR types of FAT file systems; GPT: the EFI system partition and Microsoft basic data. */
const FAT_MBR = new Set(['01', '04', '06', '0b', '0c', '0e', 'ef']);
const FAT_GPT = new Set(['c12a7328-f81f-11d2-ba4b-00a0c93ec93b', 'ebd0a0a2-b9e5-4433-87c0-68b6b72699c7']);
const BOOT_NAMES = new Set(['system-boot', 'boot', 'bootfs', 'efi', 'esp']);

export async function inspectBase(disk: Disk): Promise<{ info: BaseInfo; volume: FatVolume }> {
  const table = await readPartitionTable(disk);
  const seed = table.partitions.find((p) => p.name === 'ubuntu-seed');
  if (seed) {
    const volume = await openFat(disk, seed, 'ubuntu-seed');
    const systems = (await volume.exists('/systems')) ? (await volume.readdir('/systems')).filter((s) => !s.startsWith('.')).sort() : [];
    // snapd installs the newest recovery system on first boot; its model is the one that counts.
    const system = systems.at(-1);
    if (!system) throw new BaseImageError('ubuntu-seed has no systems/*/model: not an Ubuntu Core 20+ image', { hint: 'give an image built by ubuntu-image for a UC20 or later model' });
    const modelText = await volume.readFile(`/systems/${system}/model`).catch(() => undefined);
    const model = modelText && parseModelHeaders(modelText.toString('utf8'));
    if (!model) throw new BaseImageError(`ubuntu-seed's systems/${system}/model is not a model assertion`, { hint: 'give an image built by ubuntu-image' });
    return { info: { kind: 'core', table: table.kind, partition: seed, model, system }, volume };
  }
  const fat = table.partitions.filter((p) => (table.kind === 'mbr' ? FAT_MBR.has(p.type) : FAT_GPT.has(p.type)));
  const boot = fat.find((p) => BOOT_NAMES.has(p.name.toLowerCase())) ?? fat[0];
  if (!boot) {
    throw new BaseImageError('the base image has no ubuntu-seed and no FAT boot partition', { hint: 'give an Ubuntu Core 20+ image or a classic image with a FAT boot partition (Ubuntu server, Raspberry Pi OS)' });
  }
  return { info: { kind: 'classic', table: table.kind, partition: boot }, volume: await openFat(disk, boot, `partition ${boot.index}`) };
}

async function openFat(disk: Disk, partition: Partition, what: string): Promise<FatVolume> {
  try {
    return await openFatVolume(disk, partition);
  } catch (e) {
    throw new BaseImageError(`${what} is not a FAT16/FAT32 file system the image service can write`, { hint: 'give an unmodified base image', cause: e });
  }
}
