/** The real snapctl exec: $SNAPCTL or `snapctl` on PATH (the base's /usr/bin/snapctl). */
import { execFile } from 'node:child_process';
import type { SnapctlExec } from './snapctl';

/**
 * timeoutMs: kill a snapctl that does not return (the services: at shutdown snapd may already be
 * gone, and a pending snapctl would keep the supervisor from exiting). Hooks wait: their
 * `snapctl restart` legitimately waits for a service's stop.
 */
export function systemSnapctl(binary = process.env.SNAPCTL ?? 'snapctl', timeoutMs = 0): SnapctlExec {
  return (args) =>
    new Promise((resolve) => {
      execFile(binary, args, { encoding: 'utf8', maxBuffer: 4 * 1024 * 1024, timeout: timeoutMs }, (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 127) : 0;
        resolve({ code, stdout: stdout ?? '', stderr: stderr || (err && code === 127 ? String(err.message) : '') });
      });
    });
}
