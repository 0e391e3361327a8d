/**
 * Per-device images: `bin/azure-iot-edge-image customize` (a real CLI process per device) on a
 * sparse Ubuntu Core base of 4 GiB, 10 devices, against the baseline measured in the same run,
 * alternating with it: what the device image manager did per image, `cp --sparse=always` of the
 * base and `xz -1 -T0` of the copy (the CLI's own xz settings). Goals: per image <= 0.5x the
 * baseline (median), and the CLI's peak RSS flat: at 4 GiB at most 16 MiB above the same run on
 * an 80 MiB base, and under 160 MiB. Throughput: MiB of base per second of wall time.
 * The CLI keeps the base compressed in chunks (its chunk cache, here a fresh directory per size):
 * the first device makes it, and is printed apart; the goal is on the devices after it, the
 * per-image work of a fleet. One run with --no-cache (the whole disk through xz) is printed too.
 *   node bench/run.js images    (BENCH_QUICK=1: 256 MiB, 3 devices; BENCH_SIZES=MiB,...; BENCH_ROUNDS=devices)
 * Peak RSS is the node process's VmHWM, read from /proc every 20 ms until it exits (xz is a child
 * process with its own, bounded, buffers; its peak is printed from GNU time's maxrss of the baseline).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeCoreImage } from '../test/helpers/disk-images';
import { CONNECTION_STRING } from '../test/helpers/image-devices';
import { report } from './lib/goal';
import { modeLine, rounds, sizes } from './lib/mode';
import { median, nowMs } from './lib/stats';
import { runBench } from './lib/run-bench';

const DEVICES = rounds(10, 3);
const SIZES = sizes([4096], [256]);
const REFERENCE_MIB = 80;
const cli = path.resolve('bin', 'azure-iot-edge-image'); // run.js runs every bench from the repository's root

function vmHwmMiB(pid: number): number | undefined {
  try {
    const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined; // exited between two reads
  }
}

/** One customize run as its own process: wall time and the node process's peak RSS. */
function customize(base: string, dir: string, i: number, cache: string[]): Promise<{ ms: number; peakMiB: number; out: string }> {
  const cs = path.join(dir, `dev-${i}.cs`);
  writeFileSync(cs, CONNECTION_STRING.replace('DeviceId=dev-1', `DeviceId=dev-${i}`), { mode: 0o600 });
  const out = path.join(dir, `dev-${i}.img.xz`);
  const t0 = nowMs();
  const child = spawn(process.execPath, [cli, 'customize', '--base', base, '--connection-string-file', cs, '--hostname', `edge-${i}`, ...cache, '-o', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  let peak = 0;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
  const timer = setInterval(() => void (peak = Math.max(peak, vmHwmMiB(child.pid ?? 0) ?? 0)), 20);
  return new Promise((resolve, reject) => {
    child.on('close', (code) => {
      clearInterval(timer);
      const ms = nowMs() - t0;
      if (code !== 0) reject(new Error(`customize exited ${code}: ${stderr.trim()}`));
      else resolve({ ms, peakMiB: peak, out });
    });
  });
}

/** The baseline for one image: a sparse copy of the base, then xz of the copy, as one shell. */
function baseline(base: string, dir: string, i: number): { ms: number; xzPeakMiB: number } {
  const copy = path.join(dir, `copy-${i}.img`);
  const times = path.join(dir, 'time.txt');
  const t0 = nowMs();
  execFileSync('/usr/bin/time', ['-f', '%M', '-o', times, 'sh', '-c', 'cp --sparse=always "$1" "$2" && xz -1 -T0 -c "$2" > "$2.xz"', 'sh', base, copy]);
  const ms = nowMs() - t0;
  rmSync(copy);
  rmSync(`${copy}.xz`);
  return { ms, xzPeakMiB: Number(readFileSync(times, 'utf8').trim().split('\n').at(-1)) / 1024 };
}

async function main(): Promise<void> {
  console.log(modeLine());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'images-bench-'));
  try {
    const ref = makeCoreImage(dir, { grade: 'dangerous', name: 'ref.img', sizeMiB: REFERENCE_MIB });
    const refRun = await customize(ref.path, dir, 0, ['--cache-dir', path.join(dir, 'cache-ref')]);
    rmSync(refRun.out);
    console.log(`  reference: ${REFERENCE_MIB} MiB base, customize ${refRun.ms.toFixed(0)} ms, peak RSS ${refRun.peakMiB.toFixed(1)} MiB`);
    for (const sizeMiB of SIZES) {
      const base = makeCoreImage(dir, { grade: 'dangerous', name: `base-${sizeMiB}.img`, sizeMiB });
      const used = Number(execFileSync('du', ['-k', base.path]).toString().split('\t')[0]) / 1024;
      console.log(`  base: ${sizeMiB} MiB sparse (${used.toFixed(1)} MiB allocated), ${DEVICES} devices; ${modeLine()}`);
      const ours: number[] = [];
      const theirs: number[] = [];
      let peak = 0;
      let xzPeak = 0;
      let outSize = 0;
      const cache = ['--cache-dir', path.join(dir, `cache-${sizeMiB}`)];
      const whole = await customize(base.path, dir, 0, ['--no-cache']);
      rmSync(whole.out);
      console.log(`    --no-cache (the whole disk through xz): ${whole.ms.toFixed(0)} ms`);
      for (let i = 1; i <= DEVICES + 1; i++) {
        const b = baseline(base.path, dir, i);
        const c = await customize(base.path, dir, i, cache);
        if (i === 1) {
          console.log(`    device 1 (makes the chunk cache): customize ${c.ms.toFixed(0)} ms, cp+xz ${b.ms.toFixed(0)} ms: ${(c.ms / b.ms).toFixed(2)}x`);
          rmSync(c.out);
          continue;
        }
        theirs.push(b.ms);
        xzPeak = Math.max(xzPeak, b.xzPeakMiB);
        ours.push(c.ms);
        peak = Math.max(peak, c.peakMiB);
        outSize = statSync(c.out).size;
        rmSync(c.out);
        console.log(`    device ${i}: customize ${c.ms.toFixed(0)} ms (peak RSS ${c.peakMiB.toFixed(1)} MiB), cp+xz ${b.ms.toFixed(0)} ms; load ${os.loadavg()[0].toFixed(1)}`);
      }
      const mOurs = median(ours);
      const mTheirs = median(theirs);
      console.log(`  ${sizeMiB} MiB: customize median ${mOurs.toFixed(0)} ms (${((sizeMiB * 1000) / mOurs).toFixed(0)} MiB/s of base), cp --sparse=always + xz median ${mTheirs.toFixed(0)} ms (${((sizeMiB * 1000) / mTheirs).toFixed(0)} MiB/s); output ${(outSize / 1024).toFixed(0)} KiB; peak RSS ${peak.toFixed(1)} MiB (cp+xz shell maxrss ${xzPeak.toFixed(1)} MiB); load ${os.loadavg()[0].toFixed(1)}`);
      report({ measure: `customize ${sizeMiB} MiB base vs cp --sparse + xz (median of ${DEVICES} devices after the first)`, value: mOurs / mTheirs, limit: 0.5, unit: 'x' });
      report({ measure: `customize peak RSS, ${sizeMiB} MiB base`, value: peak, limit: 160, unit: 'MiB' });
      report({ measure: `customize peak RSS growth, ${sizeMiB} vs ${REFERENCE_MIB} MiB base`, value: peak - refRun.peakMiB, limit: 16, unit: 'MiB' });
      rmSync(base.path);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
