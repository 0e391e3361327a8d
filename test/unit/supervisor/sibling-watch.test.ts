/**
 * The supervisors watch each other: the other's supervisor stopped (state T) at two probes in a
 * row is killed; running, traced (t), another process on a reused pid, a stop seen once, or no
 * pidfile are left alone.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { announceSupervisor, isSupervisorOf, supervisorPidFile, watchSibling } from '../../../src/supervisor/sibling-watch';
import { FakeClock } from '../../../src/util/clock';
import { memoryLogger } from '../../../src/util/log';
import { fakeProcs } from '../../helpers/fake-processes';

const SUPERVISOR = (service: string) => ['/snap/azure-iot-edge/x1/bin/node', '/snap/azure-iot-edge/x1/app/bin/snap-service', service];

let dir: string;
beforeEach(() => void (dir = mkdtempSync(path.join(os.tmpdir(), 'sibling-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Waits until the watcher sleeps (its probe, real file reads included, is over). */
async function sleeping(clock: FakeClock): Promise<void> {
  while (clock.pending === 0) await new Promise((r) => setTimeout(r, 1));
}

function start(procs: ReturnType<typeof fakeProcs>) {
  const clock = new FakeClock();
  const ctl = new AbortController();
  const logger = memoryLogger();
  const done = watchSibling({ runDir: dir, service: 'dockerd', procs, clock, signal: ctl.signal, logger, intervalMs: 2000 });
  return {
    logger,
    /** Lets `n` probes run, each to its end. */
    async probe(n = 1) {
      for (let i = 0; i < n; i++) {
        await sleeping(clock);
        await clock.advance(2000);
        await sleeping(clock);
      }
    },
    async stop() {
      ctl.abort();
      await done;
    },
  };
}

async function watch(procs: ReturnType<typeof fakeProcs>, probes: number) {
  const w = start(procs);
  await w.probe(probes);
  await w.stop();
  return w.logger;
}

it('kills the other supervisor once it has been stopped at two probes in a row', async () => {
  await announceSupervisor(dir, 'iotedged', 4242);
  const procs = fakeProcs({ 4242: { args: SUPERVISOR('iotedged'), state: 'T' } });
  const logger = await watch(procs, 3);
  expect(procs.signals).toEqual(['4242 SIGKILL']);
  expect(logger.lines.join('\n')).toMatch(/the iotedged service's supervisor \(pid 4242\) is stopped/);
});

it.each([
  ['running', { args: SUPERVISOR('iotedged'), state: 'S' }],
  ['in a tracing stop (a debugger)', { args: SUPERVISOR('iotedged'), state: 't' }],
  ['a reused pid: another process, stopped', { args: ['/usr/bin/sleep', '100'], state: 'T' }],
  ['its own service (the pidfile is the sibling one)', { args: SUPERVISOR('dockerd'), state: 'T' }],
])('leaves it alone when %s', async (_what, proc) => {
  await announceSupervisor(dir, 'iotedged', 4242);
  const procs = fakeProcs({ 4242: proc });
  await watch(procs, 4);
  expect(procs.signals).toEqual([]);
});

it('needs the stop seen at two probes in a row: stopped, running, stopped is no kill yet; a second stopped probe is', async () => {
  await announceSupervisor(dir, 'iotedged', 4242);
  const procs = fakeProcs({ 4242: { args: SUPERVISOR('iotedged'), state: 'T' } });
  const w = start(procs);
  await w.probe();
  procs.procs[4242].state = 'S';
  await w.probe();
  procs.procs[4242].state = 'T';
  await w.probe();
  expect(procs.signals).toEqual([]);
  await w.probe();
  expect(procs.signals).toEqual(['4242 SIGKILL']);
  await w.stop();
});

it('does nothing without a pidfile, or with garbage in it', async () => {
  const procs = fakeProcs({ 1: { args: SUPERVISOR('iotedged'), state: 'T' } });
  await watch(procs, 3);
  writeFileSync(supervisorPidFile(dir, 'iotedged'), 'not a pid\n');
  await watch(procs, 3);
  writeFileSync(supervisorPidFile(dir, 'iotedged'), '1\n');
  await watch(procs, 3);
  expect(procs.signals).toEqual([]);
});

it('knows a supervisor by its command line', () => {
  expect(isSupervisorOf(SUPERVISOR('iotedged'), 'iotedged')).toBe(true);
  expect(isSupervisorOf(SUPERVISOR('iotedged'), 'dockerd')).toBe(false);
  expect(isSupervisorOf(['node', '/x/bin/edged', '--config', 'iotedged'], 'iotedged')).toBe(false);
  expect(isSupervisorOf([], 'iotedged')).toBe(false);
});
