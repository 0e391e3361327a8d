/**
 * The example consumer's watcher (examples/confdb-consumer/bin/watch-modules) against a fake
 * snapctl that answers the modules view as snapd 2.77 prints it, one answer per read, and a fake
 * sleep that ends the watcher after the last one.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const WATCHER = path.resolve(__dirname, '..', '..', '..', 'examples', 'confdb-consumer', 'bin', 'watch-modules');
const NO_DATA = 'error: snapctl: cannot get "modules" through aziot-publisher/azure-iot-edge/observe-modules: no data';

/** snapctl's indented JSON (tabs, sorted keys) of a modules list. */
const listed = (mods: [string, string][]) =>
  JSON.stringify(
    mods.map(([name, status]) => ({ image: 'edge-e2e/sensor:1', name, 'restart-count': 0, status })),
    null,
    '\t',
  );

/** Runs the watcher over these reads ({code, out}); its stdout lines. */
function watch(reads: { code: number; out: string }[]): string[] {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  reads.forEach((r, i) => {
    writeFileSync(path.join(dir, `read-${i + 1}.out`), r.out);
    writeFileSync(path.join(dir, `read-${i + 1}.code`), String(r.code));
  });
  const script = (name: string, body: string) => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(path.join(bin, name), 0o755);
  };
  script('snapctl', `[ "$1 $2" = "get interval" ] && { echo 1; exit 0; }
n=$(( $(cat "${dir}/reads" 2>/dev/null || echo 0) + 1 )); echo $n >"${dir}/reads"
if [ "$3" = :modules ] && [ -f "${dir}/read-$n.out" ]; then
  code=$(cat "${dir}/read-$n.code"); [ "$code" = 0 ] && cat "${dir}/read-$n.out" || cat "${dir}/read-$n.out" >&2; exit $code
fi
exit 3`);
  script('sleep', `n=$(( $(cat "${dir}/sleeps" 2>/dev/null || echo 0) + 1 )); echo $n >"${dir}/sleeps"
[ $n -lt ${reads.length} ] || kill $PPID`);
  const r = spawnSync('sh', [WATCHER], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SNAP_DATA: dir }, encoding: 'utf8', timeout: 20_000 });
  return r.stdout.trim().split('\n');
}

describe('the consumer watcher', () => {
  it('logs the first modules as new, a status change, no modules as gone, and a module back', () => {
    expect(
      watch([
        { code: 0, out: listed([['sensor', 'running']]) },
        { code: 0, out: listed([['sensor', 'running']]) },
        { code: 0, out: listed([['sensor', 'stopped']]) },
        { code: 1, out: NO_DATA },
        { code: 0, out: listed([['sensor', 'running'], ['other', 'running']]) },
      ]),
    ).toEqual([
      'watching the modules of azure-iot-edge every 1s',
      'module sensor: running (new)',
      'module sensor: running -> stopped',
      'module sensor: gone',
      'module other: running (new)',
      'module sensor: running (new)',
    ]);
  });

  it('says why it cannot read the modules, and goes on', () => {
    const out = watch([
      { code: 1, out: 'error: snapctl: cannot access confdb through unconnected plug :modules' },
      { code: 0, out: listed([['sensor', 'running']]) },
    ]);
    expect(out).toEqual(['watching the modules of azure-iot-edge every 1s', 'cannot read the modules: error: snapctl: cannot access confdb through unconnected plug :modules', 'module sensor: running (new)']);
  });
});
