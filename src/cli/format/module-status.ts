/**
 * The STATUS and DESCRIPTION columns of `iotedge list`, as the upstream CLI words them:
 * `Up 11 seconds`, `Stopped 5 minutes ago`, `Failed (1) 2 hours ago`, `Unknown`.
 * Beyond upstream, which calls anything it does not know `Unknown`: a module the agent holds back
 * before restarting it (`backoff`) reads `Backoff (1) 3 seconds ago` (its last exit), and an
 * `unhealthy` one reads `Up 5 minutes (unhealthy)`.
 */
import type { ListedModule } from '../../api/management/client/management-client';
import { timeString } from './humanize';
import { tabulate } from './table';

export function statusWord(m: ListedModule): string {
  return m.runtimeStatus?.status ?? m.state.status;
}

function ago(now: number, at: Date | undefined): string | undefined {
  return at ? timeString(now - at.getTime(), 'past') : undefined;
}

function exited(word: string, m: ListedModule, now: number): string {
  const when = ago(now, m.state.finishedAt);
  if (when === undefined || m.state.exitCode === undefined) return word;
  return `${word} (${m.state.exitCode}) ${when}`;
}

function up(m: ListedModule, now: number): string {
  const started = m.state.startedAt;
  return started ? `Up ${timeString(now - started.getTime(), 'present')}` : 'Up';
}

export function describeStatus(m: ListedModule, now: number): string {
  switch (statusWord(m).toLowerCase()) {
    case 'running':
      return up(m, now);
    case 'stopped':
    case 'dead': {
      const when = ago(now, m.state.finishedAt);
      return when === undefined ? 'Stopped' : `Stopped ${when}`;
    }
    case 'failed':
      return exited('Failed', m, now);
    case 'backoff':
      return exited('Backoff', m, now);
    case 'unhealthy':
      return `${up(m, now)} (unhealthy)`;
    default:
      return 'Unknown';
  }
}

/** The whole `iotedge list` output: header, then one row per module sorted by name. */
export function formatModuleList(modules: ListedModule[], now: number): string {
  const sorted = [...modules].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const rows = [['NAME', 'STATUS', 'DESCRIPTION', 'Config']];
  for (const m of sorted) rows.push([m.name, statusWord(m), describeStatus(m, now), m.config.image]);
  return tabulate(rows);
}
