import { describeStatus, formatModuleList } from '../../../src/cli/format/module-status';
import { listed } from '../../helpers/fake-cli-runtime';

const NOW = Date.UTC(2026, 0, 31, 12, 0, 0);
const ago = (ms: number) => new Date(NOW - ms);

describe('DESCRIPTION column (upstream list.rs humanize_status)', () => {
  test('running: Up + present tense', () => {
    expect(describeStatus(listed('a', 'i', 'running', { startedAt: ago(11_000) }), NOW)).toBe('Up 11 seconds');
    expect(describeStatus(listed('a', 'i', 'running', { startedAt: ago(5 * 60_000) }), NOW)).toBe('Up 5 minutes');
    expect(describeStatus(listed('a', 'i', 'running'), NOW)).toBe('Up');
  });
  test('stopped and dead: Stopped + past tense', () => {
    expect(describeStatus(listed('a', 'i', 'stopped', { finishedAt: ago(5 * 60_000) }), NOW)).toBe('Stopped 5 minutes ago');
    expect(describeStatus(listed('a', 'i', 'dead', { finishedAt: ago(3_000) }), NOW)).toBe('Stopped 3 seconds ago');
    expect(describeStatus(listed('a', 'i', 'stopped'), NOW)).toBe('Stopped');
  });
  test('failed: exit code and time', () => {
    const m = listed('a', 'i', 'failed', { exitCode: 1, finishedAt: ago(2 * 3600_000) });
    expect(describeStatus(m, NOW)).toBe('Failed (1) 2 hours ago');
    expect(describeStatus(listed('a', 'i', 'failed', { exitCode: 1 }), NOW)).toBe('Failed');
  });
  test('unknown, and anything upstream does not know', () => {
    expect(describeStatus(listed('a', 'i', 'unknown'), NOW)).toBe('Unknown');
    expect(describeStatus(listed('a', 'i', 'whatever'), NOW)).toBe('Unknown');
  });
  test('beyond upstream: backoff and unhealthy', () => {
    expect(describeStatus(listed('a', 'i', 'backoff', { exitCode: 2, finishedAt: ago(4_000) }), NOW)).toBe(
      'Backoff (2) 4 seconds ago',
    );
    expect(describeStatus(listed('a', 'i', 'backoff'), NOW)).toBe('Backoff');
    expect(describeStatus(listed('a', 'i', 'unhealthy', { startedAt: ago(3 * 3600_000) }), NOW)).toBe('Up 3 hours (unhealthy)');
  });
});

test('the whole output: header, rows sorted by name, the image last, tabwriter alignment', () => {
  const out = formatModuleList(
    [
      listed('tempSensor', 'mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.0', 'running', {
        startedAt: ago(11_000),
      }),
      listed('edgeHub', 'mcr.microsoft.com/azureiotedge-hub:1.4', 'failed', { exitCode: 137, finishedAt: ago(2 * 3600_000) }),
      listed('edgeAgent', 'mcr.microsoft.com/azureiotedge-agent:1.4', 'stopped', { finishedAt: ago(5 * 60_000) }),
    ],
    NOW,
  );
  expect(out).toBe(
    [
      // "Failed (137) 2 hours ago" is 24 wide: that column is 24 + 2.
      'NAME             STATUS           DESCRIPTION               Config',
      'edgeAgent        stopped          Stopped 5 minutes ago     mcr.microsoft.com/azureiotedge-agent:1.4',
      'edgeHub          failed           Failed (137) 2 hours ago  mcr.microsoft.com/azureiotedge-hub:1.4',
      'tempSensor       running          Up 11 seconds             mcr.microsoft.com/azureiotedge-simulated-temperature-sensor:1.0',
      '',
    ].join('\n'),
  );
});
