/** The real snapctl exec: $SNAPCTL or `snapctl` on PATH (the base's /usr/bin/snapctl). */
import { execFile } from 'node:child_process';
import type { SnapctlExec } from './snapctl';

export function systemSnapctl(binary = process.env.SNAPCTL ?? 'snapctl'): SnapctlExec {
  return (args) =>
    new Promise((resolve) => {
      execFile(binary, args, { encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0;
        resolve({ code, stdout: stdout ?? '', stderr: stderr || (err && code === 127 ? String(err.message) : '') });
      });
    });
}
