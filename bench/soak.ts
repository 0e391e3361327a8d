/**
 * Idle memory soak (`make soak`, SOAK_MINUTES, default 60; SOAK_INTERVAL_S, default 30): a real
 * `node bin/edged` running a local deployment of 5 modules on a private engine, probed on its
 * liveness route every 2 s as the snap's supervisor probes it, next to two stand-ins for the
 * snap's supervisors (node with dist/supervisor/main.js loaded and idle: the real services need
 * snapd, see docs/performance.md). Every interval: PSS and RSS of each (smaps_rollup, smem's
 * way), printed as a table; at the end the total, the slope over the whole soak and over its
 * second half (a leak keeps its slope; V8 filling its heap levels off), and the goal
 * (total PSS <= 60 MiB, flat: edged's slope over the second half <= 0.05 MiB/min).
 * Not part of `make test` or `make bench`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTestEngine } from '../test/helpers/engine';
import { deviceEnv, spawnEdged, writeAtomically } from './lib/edged-process';
import { deployment } from '../test/helpers/deployment';
import { EngineEvents } from './lib/engine-events';
import { report } from './lib/goal';
import { applianceMiB, memoryOf, type Memory } from './lib/memory';
import { slope } from './lib/stats';
import { runBench } from './lib/run-bench';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 60);
const INTERVAL_S = Number(process.env.SOAK_INTERVAL_S ?? 30);
const FLAT_MIB_PER_MIN = 0.05;

function probe(socketPath: string): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/edged-liveness?api-version=2022-08-03', timeout: 2500 }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', () => resolve());
    req.on('timeout', () => req.destroy());
  });
}

async function main(): Promise<void> {
  if (!(MINUTES > 0) || !(INTERVAL_S > 0)) throw new Error('SOAK_MINUTES and SOAK_INTERVAL_S must be positive numbers');
  const engine = await startTestEngine();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'soak-'));
  const events = await EngineEvents.open(engine.docker);
  const file = path.join(dir, 'deployment.json');
  const names = ['m1', 'm2', 'm3', 'm4', 'm5'];
  const from = events.mark();
  writeAtomically(file, deployment(Object.fromEntries(names.map((n) => [n, { image: 'edge-test/busybox:1', cmd: ['sleep', '86400'] }]))));
  const edged = spawnEdged({ dir, engineHost: engine.host, toml: `[local_deployment]\nfile = "${file}"\n` });
  const supervisorCode = JSON.stringify(path.join(process.cwd(), 'dist/supervisor/main.js'));
  const standIns = [0, 1].map(() => spawn(process.execPath, ['-e', `require(${supervisorCode}); setInterval(() => {}, 1 << 30);`], { stdio: 'ignore', env: deviceEnv() }));
  const timer = setInterval(() => void probe(path.join(dir, 'home', 'mgmt.sock')), 2000);
  try {
    await edged.ready();
    await events.started(from, names);
    events.close();
    const t0 = Date.now();
    const rows: { min: number; edged: Memory; sup: Memory[] }[] = [];
    console.log(`soak: ${MINUTES} min, a sample every ${INTERVAL_S} s, in MiB; "alone": shared pages counted once among these three`);
    console.log('   min   edged PSS (USS)   stand-ins PSS     PSS total   alone');
    for (;;) {
      const e = memoryOf(edged.pid);
      const sup = standIns.map((c) => memoryOf(c.pid!));
      const min = (Date.now() - t0) / 60_000;
      rows.push({ min, edged: e, sup });
      const total = e.pssMiB + sup.reduce((a, b) => a + b.pssMiB, 0);
      console.log(
        `${min.toFixed(1).padStart(6)}   ${e.pssMiB.toFixed(1).padStart(9)} (${e.ussMiB.toFixed(1)})   ${sup.map((s) => s.pssMiB.toFixed(1)).join(' + ').padStart(13)}` +
          `   ${total.toFixed(1).padStart(9)}   ${applianceMiB([e, ...sup]).toFixed(1).padStart(5)}`,
      );
      if (min >= MINUTES) break;
      await new Promise((r) => setTimeout(r, INTERVAL_S * 1000));
    }
    const all = rows.map((r) => ({ x: r.min, y: r.edged.pssMiB }));
    const secondHalf = all.filter((p) => p.x >= MINUTES / 2);
    const last = rows[rows.length - 1];
    console.log(`edged PSS slope: ${slope(all).toFixed(3)} MiB/min over the soak, ${slope(secondHalf).toFixed(3)} MiB/min over its second half`);
    // USS is edged's own pages: PSS also moves when other processes map or unmap the same files.
    const uss = rows.filter((r) => r.min >= 1).map((r) => ({ x: r.min, y: r.edged.ussMiB }));
    console.log(`edged USS slope after the first minute: ${slope(uss).toFixed(3)} MiB/min`);
    console.log(`at the end: PSS total ${(last.edged.pssMiB + last.sup.reduce((a, b) => a + b.pssMiB, 0)).toFixed(1)} MiB on this machine (node's pages shared with its other node processes)`);
    report({ measure: 'idle memory, edged + two supervisor stand-ins, shared once', value: applianceMiB([last.edged, ...last.sup]), limit: 60, unit: 'MiB' });
    report({ measure: 'edged idle PSS slope, second half of the soak', value: slope(secondHalf), limit: FLAT_MIB_PER_MIN, unit: 'MiB/min' });
  } finally {
    clearInterval(timer);
    for (const c of standIns) c.kill('SIGTERM');
    await edged.stop();
    await engine.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

runBench(main);
