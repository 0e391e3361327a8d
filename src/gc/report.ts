/** What one collection did, for the log, the reported state, `iotedge system status` and prune-images. */
import type { ImageInfo } from '../runtime/images';
import type { GcReport, ReportedImage } from '../api/management/wire';

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
