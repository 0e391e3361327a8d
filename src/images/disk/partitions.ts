/**
 * The partition table of a disk image (GPT or MBR, read by partitioninfo), as one list with
 * the facts the writer needs: where each partition is and what kind it says it is.
 */
import type { Disk } from 'file-disk';
import { getPartitions } from 'partitioninfo';
import { BaseImageError } from '../errors';

export interface Partition {
  /** 1-based, as Linux numbers /dev/sdaN. */
  index: number;
  offset: number;
  size: number;
  /** GPT type GUID (lower case) or MBR type byte as two hex digits. */
  type: string;
  /** The GPT partition name ('ubuntu-seed'); empty on MBR. */
  name: string;
}

export interface PartitionTable {
  kind: 'gpt' | 'mbr';
  partitions: Partition[];
}

export async function readPartitionTable(disk: Disk): Promise<PartitionTable> {
  let found;
  try {
    found = await getPartitions(disk, { includeExtended: false });
  } catch (e) {
    throw new BaseImageError('the base image has no readable partition table (GPT or MBR)', { hint: 'give a whole-disk image (.img or .img.xz), not a partition or a file system', cause: e });
  }
  const capacity = await disk.getCapacity();
  const partitions: Partition[] =
    found.type === 'gpt'
      ? found.partitions.map((p) => ({ index: p.index, offset: p.offset, size: p.size, type: p.type.toLowerCase(), name: p.name.replace(/\0+$/, '') }))
      : found.partitions.map((p) => ({ index: p.index, offset: p.offset, size: p.size, type: p.type.toString(16).padStart(2, '0'), name: '' }));
  const live = partitions.filter((p) => p.size > 0);
  if (live.length === 0) throw new BaseImageError('the base image has a partition table with no partition', { hint: 'give a whole-disk image with its partitions' });
  const beyond = live.find((p) => p.offset + p.size > capacity);
  if (beyond) {
    throw new BaseImageError(`the base image is truncated: partition ${beyond.index} ends at byte ${beyond.offset + beyond.size}, the image has ${capacity}`, {
      hint: 'download or decompress the base image again',
    });
  }
  return { kind: found.type, partitions: live };
}
