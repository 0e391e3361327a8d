import * as path from 'node:path';
import { findDevEdged, processStartTime, type ProcFs } from '../../../src/cli/system/dev-edged';
import { edgedService, where } from '../../../src/cli/system/where';

describe('where the CLI finds things', () => {
  it('inside the snap: the snap layout', () => {
    const w = where({ SNAP_COMMON: '/var/snap/azure-iot-edge/common', SNAP: '/snap/azure-iot-edge/3', SNAP_INSTANCE_NAME: 'azure-iot-edge_dev' });
    expect(w).toMatchObject({
      inSnap: true,
      configFile: '/var/snap/azure-iot-edge/common/etc/aziot/config.toml',
      edgedConfig: '/var/snap/azure-iot-edge/common/etc/aziot/config.toml',
      edgedHome: '/var/snap/azure-iot-edge/common/var/lib/aziot/edged',
      daemonJson: '/var/snap/azure-iot-edge/common/etc/docker/daemon.json',
    });
    expect(w.snap?.owned.dockerUri).toBe('unix:///var/snap/azure-iot-edge/common/run/docker.sock');
    expect(edgedService(w)).toBe('azure-iot-edge_dev.iotedged');
  });

  it('on a development machine: upstream paths unless the environment says otherwise', () => {
    expect(where({})).toMatchObject({ inSnap: false, configFile: '/etc/aziot/config.toml', edgedConfig: '/etc/aziot/config.toml', edgedHome: '/var/lib/aziot/edged' });
    expect(where({ IOTEDGE_EDGED_CONFIG: '/r/.tmp/run/config.toml', IOTEDGE_EDGED_HOME: '/r/.tmp/run/edged' })).toMatchObject({ edgedConfig: '/r/.tmp/run/config.toml', edgedHome: '/r/.tmp/run/edged' });
  });

  it('finds edged by pidfile when it is alive, and tells when it started', async () => {
    const files: Record<string, string> = {
      '/h/edged.pid': '321\n',
      '/proc/321/cmdline': 'node\0bin/edged\0',
      '/proc/321/stat': '321 (node) S 1 321 321 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 11 0 5000 1000 100',
      '/proc/stat': 'cpu 1 2 3\nbtime 1769860800\n',
    };
    const pfs: ProcFs = {
      readFile: async (f) => {
        if (f in files) return files[f];
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
      readdir: async () => [],
    };
    expect(await findDevEdged({ home: '/h' }, pfs)).toEqual({ pid: 321, how: 'pidfile' });
    expect(await processStartTime(321, pfs)).toEqual(new Date((1769860800 + 50) * 1000));
    delete files['/proc/321/cmdline'];
    expect(await findDevEdged({ home: '/h' }, pfs)).toBeUndefined();
  });

  it('resolves a relative --home against the process\'s own working directory', async () => {
    const pfs: ProcFs = {
      readFile: async (f) => {
        if (f === '/proc/77/cmdline') return 'node\0bin/edged\0--config\0config.toml\0--home\0edged\0';
        throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      },
      readdir: async () => ['77'],
      readlink: async (f) => {
        if (f === '/proc/77/cwd') return '/work/run';
        throw new Error(f);
      },
    };
    expect(await findDevEdged({ home: '/work/run/edged' }, pfs)).toEqual({ pid: 77, how: 'proc' });
    expect(await findDevEdged({ home: path.resolve('edged') }, pfs)).toBeUndefined();
  });
});
