/**
 * The workload sockets: the shared one (`[listen] workload_uri`) and one per module at
 * `<home>/mnt/<module>.sock`, created before the module's container is created or started and
 * removed with the module, as upstream's workload manager does. A module's own socket only
 * answers for that module.
 */
import * as path from 'node:path';
import { BadRequestError } from '../../errors';
import type { Logger } from '../../util/log';
import { HttpApi } from '../http/server';
import { UnixListener, listenUnix } from '../http/unix-listener';
import { WorkloadDeps, workloadApi } from './routes';

/** Upstream: every module may reach the workload sockets. */
export const WORKLOAD_SOCKET_MODE = 0o666;

export function moduleSocketPath(home: string, module: string): string {
  return path.join(home, 'mnt', `${module}.sock`);
}

export class WorkloadSockets {
  private readonly modules = new Map<string, Promise<UnixListener>>();
  private shared?: UnixListener;
  private closed = false;

  constructor(
    private readonly home: string,
    private readonly deps: WorkloadDeps,
    private readonly logger: Logger,
  ) {}

  async listenShared(uri: string): Promise<void> {
    this.shared = await listenUnix(new HttpApi(workloadApi(this.deps), this.logger), uri, { mode: WORKLOAD_SOCKET_MODE });
    this.logger.info(`workload API listening on ${uri}`);
  }

  /** Makes sure the module's socket exists and is served. Idempotent and safe to call concurrently. */
  async ensure(module: string): Promise<string> {
    if (this.closed) throw new Error('the workload sockets are closed');
    // Docker's own rule for container names; it also keeps the socket inside <home>/mnt.
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(module)) {
      throw new BadRequestError(`"${module}" is not a valid module name`, { hint: 'use letters, digits, "_", "." and "-", starting with a letter or digit' });
    }
    let listening = this.modules.get(module);
    if (!listening) {
      const socket = moduleSocketPath(this.home, module);
      const api = new HttpApi(workloadApi(this.deps, { boundModule: module }), this.logger.child(module));
      listening = listenUnix(api, `unix://${socket}`, { mode: WORKLOAD_SOCKET_MODE });
      this.modules.set(module, listening);
      listening.then(
        () => this.logger.info(`workload socket for ${module} at ${socket}`),
        () => this.modules.delete(module),
      );
    }
    return (await listening).socketPath;
  }

  /** Stops serving the module's socket and removes the file. */
  async remove(module: string): Promise<void> {
    const listening = this.modules.get(module);
    if (!listening) return;
    this.modules.delete(module);
    await (await listening.catch(() => undefined))?.close();
    this.logger.info(`workload socket for ${module} removed`);
  }

  has(module: string): boolean {
    return this.modules.has(module);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.modules.values()];
    this.modules.clear();
    await Promise.all(all.map(async (l) => (await l.catch(() => undefined))?.close()));
    await this.shared?.close();
  }
}
