import { cpuUsage, detectVirtualized, mountOf, parseMountInfo, systemInfoFrom } from '../../../src/runtime/docker/system';

describe('system facts', () => {
  it('passes the engine facts through and adds our version', () => {
    expect(
      systemInfoFrom(
        { OSType: 'linux', Architecture: 'x86_64', ServerVersion: '20.10.24', KernelVersion: '6.1.0', OperatingSystem: 'Ubuntu Core 24', NCPU: 4, MemTotal: 1024 },
        '0.1.0',
        'no',
      ),
    ).toEqual({
      osType: 'linux',
      architecture: 'x86_64',
      version: '0.1.0',
      server_version: '20.10.24',
      kernel_version: '6.1.0',
      operating_system: 'Ubuntu Core 24',
      cpus: 4,
      total_memory: 1024,
      virtualized: 'no',
    });
  });

  it('reads the hypervisor flag', () => {
    expect(detectVirtualized(() => 'processor: 0\nflags : fpu vme hypervisor sse\n')).toBe('yes');
    expect(detectVirtualized(() => 'flags : fpu vme sse\n')).toBe('no');
    expect(detectVirtualized(() => 'Features: neon\n')).toBe('unknown');
    expect(
      detectVirtualized(() => {
        throw new Error('EACCES');
      }),
    ).toBe('unknown');
  });

  it('finds the mount holding a path', () => {
    const mounts = parseMountInfo(
      [
        '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
        '30 22 8:2 / /var/snap rw,relatime shared:2 - xfs /dev/sda2 rw',
        '31 22 0:5 / /var/snap\\040x rw - tmpfs tmpfs rw',
      ].join('\n'),
    );
    expect(mountOf(mounts, '/var/snap/azure-iot-edge/common/var/lib/docker')).toMatchObject({ source: '/dev/sda2', fsType: 'xfs' });
    expect(mountOf(mounts, '/var/snapshots')).toMatchObject({ source: '/dev/sda1' });
    expect(mountOf(mounts, '/var/snap x/y')).toMatchObject({ fsType: 'tmpfs' });
  });

  it('computes CPU busy percent between samples', () => {
    expect(cpuUsage({ idle: 100, total: 200 }, { idle: 150, total: 300 })).toBe(50);
    expect(cpuUsage({ idle: 1, total: 1 }, { idle: 1, total: 1 })).toBe(0);
  });
});
