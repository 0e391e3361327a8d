/** What one collection did, for the log, the reported state, `iotedge system status` and prune-images. */
import type { ImageInfo } from '../runtime/images';
import type { KeepReason } from './plan';

export interface ReportedImage {
  id: string;
  tags: string[];
  size: number;
  /** ISO time of the last use edged recorded, for tracked images. */
  lastUsed?: string;
}

export type SkipReason = 'in-use' | 'used-since-planning' | 'in-flight' | 'already-gone' | 'error';

export interface GcReport {
  trigger: 'schedule' | 'manual';
  /** A dry run lists what a run would remove now and changes nothing. */
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** Removed images (would-be removed in a dry run). */
  removed: ReportedImage[];
  /** Images planned for removal that stayed, and why (e.g. a container started using one). */
  skipped: (ReportedImage & { reason: SkipReason; detail?: string })[];
  /** Edge-owned images kept, with the reason. */
  kept: (ReportedImage & { reason: KeepReason })[];
  /** Images on the engine that edged never pulled or created containers from: never touched. */
  foreignImages: number;
  /** Sum of the removed images' sizes as the engine reported them. */
  bytesFreed: number;
  /** Set when the run stopped early (e.g. the engine went away); what was done is still listed. */
  error?: string;
}

export function reported(image: ImageInfo, lastUsed?: number): ReportedImage {
  return {
    id: image.id,
    tags: image.tags,
    size: image.size,
    ...(lastUsed === undefined ? {} : { lastUsed: new Date(lastUsed).toISOString() }),
  };
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function imageName(i: ReportedImage): string {
  return i.tags[0] ?? i.id.replace(/^sha256:/, '').slice(0, 12);
}

/** One line: the summary every run logs. */
export function summarize(r: GcReport): string {
  const verb = r.dryRun ? 'would remove' : 'removed';
  const parts = [
    `image garbage collection ${verb} ${r.removed.length} image(s), ${formatBytes(r.bytesFreed)} ${r.dryRun ? 'to free' : 'freed'}`,
    `kept ${r.kept.length} edge image(s) and ${r.foreignImages} other image(s)`,
  ];
  if (r.skipped.length) parts.push(`skipped ${r.skipped.length}`);
  if (r.error) parts.push(`stopped early: ${r.error}`);
  return parts.join('; ');
}
