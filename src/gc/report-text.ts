/** Image garbage collection in words: what `iotedge system prune-images` and `system status` print. */
import type { GcReport, GcStatus } from '../api/management/wire';
import { formatBytes, imageName } from './report';

/** What prune-images prints: one line per image, then the totals. */
export function formatPruneReport(r: GcReport): string {
  const lines: string[] = [];
  const verb = r.dryRun ? 'would remove' : 'removed';
  for (const i of r.removed) {
    lines.push(`${verb}  ${imageName(i)}  ${short(i.id)}  ${formatBytes(i.size)}${i.lastUsed ? `  last used ${i.lastUsed}` : ''}`);
  }
  for (const i of r.skipped) lines.push(`kept  ${imageName(i)}  ${short(i.id)}  (${i.reason}${i.detail ? `: ${i.detail}` : ''})`);
  const total = r.dryRun
    ? `Would remove ${r.removed.length} image(s) and free ${formatBytes(r.bytesFreed)}.`
    : `Removed ${r.removed.length} image(s), freed ${formatBytes(r.bytesFreed)}.`;
  lines.push(`${total} ${keptSummary(r)}`);
  if (r.error) lines.push(`Stopped early: ${r.error}`);
  return lines.join('\n') + '\n';
}

/** Lines for `iotedge system status`. */
export function formatGcStatus(s: GcStatus): string[] {
  const lines = [
    `Image garbage collection: ${s.enabled ? 'enabled' : 'disabled'} (every ${s.settings.cleanup_recurrence} at ${s.settings.cleanup_time}, images unused for ${s.settings.image_age_cleanup_threshold}; ${s.trackedImages} tracked image(s))`,
  ];
  if (s.running) lines.push('  running now');
  if (s.nextRunAt) lines.push(`  next run: ${s.nextRunAt}`);
  const l = s.lastRun;
  lines.push(
    l
      ? `  last run: ${l.finishedAt}, removed ${l.removed.length} image(s), freed ${formatBytes(l.bytesFreed)}${l.error ? ` (stopped early: ${l.error})` : ''}`
      : '  last run: never',
  );
  return lines;
}

function keptSummary(r: GcReport): string {
  const counts = new Map<string, number>();
  for (const k of r.kept) counts.set(k.reason, (counts.get(k.reason) ?? 0) + 1);
  const detail = [...counts].map(([reason, n]) => `${reason} ${n}`).join(', ');
  return `Kept ${r.kept.length} edge image(s)${detail ? ` (${detail})` : ''}; ${r.foreignImages} other image(s) left alone.`;
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}
