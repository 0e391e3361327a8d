/** Small file helpers shared by the hooks. */
import { promises as fs } from 'node:fs';
import { loadSuperConfigFile } from '../../config/load';
import type { SnapPaths } from '../paths';

export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Does the current config give iotedged something to do (credentials or a local deployment)? */
export async function configHasWork(paths: SnapPaths): Promise<boolean> {
  try {
    const cfg = await loadSuperConfigFile(paths.configFile, { home: paths.edgedHome });
    return cfg.provisioning !== undefined || cfg.local_deployment !== undefined;
  } catch {
    return false;
  }
}

export async function makeDirs(paths: SnapPaths): Promise<void> {
  const dirs: [string, number][] = [
    [paths.configDropIns, 0o700],
    [paths.edgedHome, 0o700],
    [`${paths.runDir}/iotedge`, 0o755],
    [paths.dockerDataRoot, 0o711],
    [paths.dockerExecRoot, 0o711],
    [`${paths.common}/etc/docker`, 0o755],
  ];
  for (const [d, mode] of dirs) await fs.mkdir(d, { recursive: true, mode });
}
