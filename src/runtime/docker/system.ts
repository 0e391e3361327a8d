/** Host and engine facts for /systeminfo and /systeminfo/resources. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DiskInfo, SystemInfo } from '../types';

/** What `docker info` answers that we use. */
export interface EngineInfo {
  OSType?: string;
  Architecture?: string;
  ServerVersion?: string;
  KernelVersion?: string;
  OperatingSystem?: string;
  NCPU?: number;
  MemTotal?: number;
  DockerRootDir?: string;
}

export function systemInfoFrom(info: EngineInfo, version: string, virtualized: string): SystemInfo {
  return {
    // Passed through from the engine, as upstream's Docker runtime does (e.g. "linux", "x86_64").
    osType: info.OSType ?? 'Unknown',
    architecture: info.Architecture ?? 'Unknown',
    version,
    server_version: info.ServerVersion ?? 'Unknown',
    kernel_version: info.KernelVersion ?? os.release(),
    operating_system: info.OperatingSystem ?? 'Unknown',
    cpus: info.NCPU ?? os.cpus().length,
    total_memory: info.MemTotal ?? os.totalmem(),
    virtualized,
  };
}

/** "yes" when the CPU reports a hypervisor, "no" when it does not, "unknown" when we cannot tell. */
export function detectVirtualized(cpuinfo: () => string = () => fs.readFileSync('/proc/cpuinfo', 'utf8')): string {
  try {
    const flags = cpuinfo()
      .split('\n')
      .find((l) => /^flags\s*:/.test(l));
    if (!flags) return 'unknown';
    return /\bhypervisor\b/.test(flags) ? 'yes' : 'no';
  } catch {
    return 'unknown';
  }
}

/** The version of this package, read once from package.json beside dist/ or src/. */
export function packageVersion(): string {
  for (const rel of ['../../../package.json', '../../package.json', '../package.json']) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, rel), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'azure-iot-edge' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

interface Mount {
  point: string;
  source: string;
  fsType: string;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

export function parseMountInfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    if (left.length < 5 || right.length < 2) continue;
    mounts.push({ point: unescapeMount(left[4]), fsType: right[0], source: unescapeMount(right[1]) });
  }
  return mounts;
}

/** The mount holding `target`: the longest mount point that is a prefix of it. */
export function mountOf(mounts: Mount[], target: string): Mount | undefined {
  let best: Mount | undefined;
  for (const m of mounts) {
    const prefix = m.point.endsWith('/') ? m.point : m.point + '/';
    if ((target === m.point || target.startsWith(prefix) || m.point === '/') && (!best || m.point.length >= best.point.length)) {
      best = m;
    }
  }
  return best;
}

function diskType(source: string): string {
  const dev = path.basename(source);
  if (!source.startsWith('/dev/')) return 'Unknown(-1)';
  for (const candidate of [dev, dev.replace(/p?\d+$/, '')]) {
    try {
      const rotational = fs.readFileSync(`/sys/block/${candidate}/queue/rotational`, 'utf8').trim();
      return rotational === '1' ? 'HDD' : 'SSD';
    } catch {
      // a partition or a device without queue info: try the parent
    }
  }
  return 'Unknown(-1)';
}

/** The disk holding the engine's data root (or / when it is not visible from here). */
export function diskInfo(dataRoot: string | undefined): DiskInfo[] {
  const target = dataRoot && fs.existsSync(dataRoot) ? dataRoot : '/';
  const stat = fs.statfsSync(target);
  let mount: Mount | undefined;
  try {
    mount = mountOf(parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')), fs.realpathSync(target));
  } catch {
    mount = undefined;
  }
  return [
    {
      name: mount?.source ?? target,
      available_space: stat.bavail * stat.bsize,
      total_space: stat.blocks * stat.bsize,
      file_system: mount?.fsType ?? 'unknown',
      file_type: mount ? diskType(mount.source) : 'Unknown(-1)',
    },
  ];
}

export interface CpuSample {
  idle: number;
  total: number;
}

export function cpuSample(): CpuSample {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

/** Percent of CPU time busy between two samples (0..100). */
export function cpuUsage(previous: CpuSample, current: CpuSample): number {
  const total = current.total - previous.total;
  const idle = current.idle - previous.idle;
  if (total <= 0) return 0;
  return Math.max(0, Math.min(100, (100 * (total - idle)) / total));
}
