/**
 * Idle memory of the appliance's Node processes as they run in the snap (`make soak-snap`,
 * SOAK_MINUTES, default 20; SOAK_INTERVAL_S, default 30): the snap built by snap/local/build.sh,
 * installed under a real snapd in the lab container (test/env/snapd-lab.sh, its lock held), both
 * services started by systemd with snapcraft.yaml's command lines, a local deployment of 2 modules
 * running. Every interval: PSS, RSS and USS of the two supervisors and edged, read from
 * /proc/PID/smaps_rollup inside the lab. There the snap's node binary is mapped by these
 * processes only (the squashfs file is not the build machine's node), so their PSS adds up to
 * what a device pays. At the end: the total, the slopes after the first SOAK_SETTLE_MIN minutes
 * (default 3: V8 filling its heaps after start), and the goals (total PSS <= 60 MiB; flat: no
 * process's USS slope over 0.05 MiB/min). Not part of `make test` or `make bench`.
 */
import * as path from 'node:path';
import { deployment, GRACEFUL_CMD } from '../test/helpers/deployment';
import { holdLabLock, Lab, PLUGS, ROOT, SNAP, until } from '../test/helpers/snapd-lab';
import { report } from './lib/goal';
import { memoryFromRollup, type Memory } from './lib/memory';
import { runBench } from './lib/run-bench';
import { slope } from './lib/stats';

const MINUTES = Number(process.env.SOAK_MINUTES ?? 20);
const INTERVAL_S = Number(process.env.SOAK_INTERVAL_S ?? 30);
const SETTLE_MIN = Number(process.env.SOAK_SETTLE_MIN ?? 3);
const FLAT_MIB_PER_MIN = 0.05;
const IMAGE = 'edge-e2e/sensor:1';
const KEY = Buffer.from('soak-device-key-0123456789abcdef').toString('base64');
const PROCESSES = { 'dockerd supervisor': 'snap-service dockerd', 'iotedged supervisor': 'snap-service iotedged', edged: 'app/bin/edged' } as const;
type Name = keyof typeof PROCESSES;

async function main(): Promise<void> {
  if (!(MINUTES > 0) || !(INTERVAL_S > 0) || !(SETTLE_MIN >= 0)) throw new Error('SOAK_MINUTES and SOAK_INTERVAL_S must be positive numbers, SOAK_SETTLE_MIN not negative');
  const release = await holdLabLock();
  const lab = new Lab(`aziot-soak-${process.pid}`, path.join(ROOT, '.tmp', 'soak-snap'));
  try {
    lab.prepare([IMAGE]);
    lab.must('snap', 'install', '--dangerous', '--devmode', `/snaps/${SNAP}.snap`);
    for (const p of PLUGS) lab.must('snap', 'connect', `${SNAP}:${p}`);
    await until('the engine answering', () => lab.app('docker', 'version').code === 0, 180_000);
    lab.must('cp', '/snaps/images.tar', '/root/images.tar');
    lab.app('docker', 'load', '-i', '/root/images.tar');
    const cs = lab.put('cs.txt', `HostName=fake-hub.azure-devices.net;DeviceId=soak;SharedAccessKey=${KEY}\n`);
    const file = lab.put('deployment.json', deployment({ sensor: { image: IMAGE, cmd: GRACEFUL_CMD }, relay: { image: IMAGE, cmd: GRACEFUL_CMD } }));
    lab.must('snap', 'set', SNAP, `cs-file=${cs}`, `deployment-file=${file}`);
    await until(`both modules running (health: ${lab.health()})`, () => lab.running('sensor') && lab.running('relay'), 180_000);
    const pid = (name: Name) => {
      const pids = lab.pids(PROCESSES[name]);
      if (pids.length !== 1) throw new Error(`expected one ${name} process, found ${pids.length}`);
      return pids[0];
    };
    const pids = Object.fromEntries((Object.keys(PROCESSES) as Name[]).map((n) => [n, pid(n)])) as Record<Name, number>;
    console.log(`node ${lab.must(`/snap/${SNAP}/current/bin/node`, '--version').trim()}; command lines:`);
    for (const [n, p] of Object.entries(pids)) console.log(`  ${n}: ${lab.must('cat', `/proc/${p}/cmdline`).split('\0').join(' ').trim()}`);
    console.log(`soak: ${MINUTES} min, a sample every ${INTERVAL_S} s, in MiB (PSS / USS); total = the three PSS`);
    console.log(`   min   ${(Object.keys(PROCESSES) as Name[]).map((n) => n.padStart(20)).join('')}     total`);
    const t0 = Date.now();
    const rows: { min: number; m: Record<Name, Memory> }[] = [];
    for (;;) {
      const m = Object.fromEntries(
        (Object.keys(PROCESSES) as Name[]).map((n) => {
          if (lab.pids(PROCESSES[n]).join() !== String(pids[n])) throw new Error(`${n} (pid ${pids[n]}) was restarted during the soak: see the journal`);
          return [n, memoryFromRollup(lab.must('cat', `/proc/${pids[n]}/smaps_rollup`))];
        }),
      ) as Record<Name, Memory>;
      const min = (Date.now() - t0) / 60_000;
      rows.push({ min, m });
      const total = Object.values(m).reduce((a, x) => a + x.pssMiB, 0);
      console.log(`${min.toFixed(1).padStart(6)}   ${Object.values(m).map((x) => `${x.pssMiB.toFixed(1)} / ${x.ussMiB.toFixed(1)}`.padStart(20)).join('')}   ${total.toFixed(1).padStart(7)}`);
      if (min >= MINUTES) break;
      await new Promise((r) => setTimeout(r, INTERVAL_S * 1000));
    }
    const last = rows[rows.length - 1];
    const settled = rows.filter((r) => r.min >= SETTLE_MIN);
    for (const n of Object.keys(PROCESSES) as Name[]) {
      const s = (key: keyof Memory) => slope(settled.map((r) => ({ x: r.min, y: r.m[n][key] })));
      console.log(`${n}: RSS ${last.m[n].rssMiB.toFixed(1)}, PSS ${last.m[n].pssMiB.toFixed(1)}, USS ${last.m[n].ussMiB.toFixed(1)} MiB; after minute ${SETTLE_MIN}: PSS ${s('pssMiB').toFixed(3)}, USS ${s('ussMiB').toFixed(3)} MiB/min`);
    }
    const total = Object.values(last.m).reduce((a, x) => a + x.pssMiB, 0);
    const steepest = Math.max(...(Object.keys(PROCESSES) as Name[]).map((n) => slope(settled.map((r) => ({ x: r.min, y: r.m[n].ussMiB })))));
    report({ measure: 'idle memory in the snap: two supervisors + edged, PSS', value: total, limit: 60, unit: 'MiB' });
    report({ measure: `steepest USS slope in the snap after minute ${SETTLE_MIN}`, value: steepest, limit: FLAT_MIB_PER_MIN, unit: 'MiB/min' });
  } finally {
    if (process.env.KEEP_SOAK_LAB !== '1') lab.remove();
    release();
  }
}

runBench(main);
