/**
 * dockerd only accepts a non-default bridge name if the device exists: the supervisor creates
 * `aziotbr0` (no address: dockerd assigns one from the snap's pool) before starting the engine.
 */
import { execFile } from 'node:child_process';

export type RunCommand = (command: string, args: string[]) => Promise<{ code: number; stderr: string }>;

export const runCommand: RunCommand = (command, args) =>
  new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8' }, (err, _stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0;
      resolve({ code, stderr: stderr || (err && code === 127 ? err.message : '') });
    });
  });

export async function ensureBridge(name: string, run: RunCommand = runCommand): Promise<'exists' | 'created'> {
  if ((await run('ip', ['link', 'show', 'dev', name])).code === 0) return 'exists';
  const add = await run('ip', ['link', 'add', 'name', name, 'type', 'bridge']);
  if (add.code !== 0 && (await run('ip', ['link', 'show', 'dev', name])).code !== 0) {
    throw new Error(`cannot create the bridge ${name}: ${add.stderr.trim()}`);
  }
  return 'created';
}

/** The bridge daemon.json names, if it is one the snap must create (not docker0, not none). */
export function bridgeToCreate(daemonJson: Record<string, unknown>): string | undefined {
  const b = daemonJson.bridge;
  return typeof b === 'string' && b !== '' && b !== 'none' && b !== 'docker0' ? b : undefined;
}
