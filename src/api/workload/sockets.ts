/**
 * The workload sockets: the shared one (`[listen] workload_uri`, edged's user only: it acts for
 * any module) and, per module, a directory `<home>/mnt/<module>/` holding its own
 * `workload.sock` (edgeAgent's also the management socket), created before the module's
 * container is created or started and removed with the module. Containers get the directory
 * bound (see binds.ts), so a socket edged recreates after a restart is seen by running modules.
 * A module's own socket only answers for that module. `<home>/mnt` is edged's alone (0700): the
 * module's directory and socket are open to whatever user the container runs as, and the
 * container reaches them through its bind, never through `<home>/mnt`.
 *
 * Containers created before directories were bound have `<home>/mnt/<module>.sock` bound as a
 * file: for those, that file is served too (`serveSocketFile`).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { RequestListener } from 'node:http';
import * as path from 'node:path';
import { checkModuleName, isModuleName } from '../../runtime/module-name';
import type { Logger } from '../../util/log';
import { HttpApi } from '../http/server';
import { UNIX_SOCKET_PATH_MAX, UnixListener, listenUnix } from '../http/unix-listener';
import { ModuleSocketDir, rewriteSocketBinds } from './binds';
import { WorkloadDeps, workloadApi } from './routes';

/** The shared socket answers for every module: edged's user alone may connect. */
export const SHARED_WORKLOAD_SOCKET_MODE = 0o600;
/** A module's socket: any user of its container may connect (the container's user is the module's choice). */
export const WORKLOAD_SOCKET_MODE = 0o666;
/** The module's directory: edged's, traversable by the container's user. */
export const MODULE_DIR_MODE = 0o755;
/** `<home>/mnt`: no other host user reaches a module's socket through it. */
export const MNT_DIR_MODE = 0o700;
/** The socket's name in a module's directory: that of the path modules connect to (/var/run/iotedge/workload.sock). */
export const WORKLOAD_SOCKET_NAME = 'workload.sock';

/**
 * `<home>/mnt/<module>`, or, when `<dir>/workload.sock` would not fit a unix socket path (a long
 * name, a long home), `<home>/mnt/_<hash of the name>`: a name no module can have (module names
 * start with a letter or digit), the same for the same module every time.
 */
export function moduleSocketDir(home: string, module: string): string {
  const dir = path.join(home, 'mnt', module);
  if (Buffer.byteLength(path.join(dir, WORKLOAD_SOCKET_NAME)) <= UNIX_SOCKET_PATH_MAX) return dir;
  return path.join(home, 'mnt', `_${createHash('sha256').update(module).digest('hex').slice(0, 16)}`);
}

export function moduleSocketPath(home: string, module: string, name = WORKLOAD_SOCKET_NAME): string {
  return path.join(moduleSocketDir(home, module), name);
}

/** Where a module's socket was before directories (and where upstream's edgeAgent still binds it from). */
export function moduleSocketFile(home: string, module: string): string {
  return path.join(home, 'mnt', `${module}.sock`);
}

/** Another socket a module's directory serves: edgeAgent's management API. */
export interface ExtraSocket {
  name: string;
  api: { listener: RequestListener };
  mode: number;
  /** The socket's owner, when the module's user must own it (upstream: edgeAgent's user owns mgmt.sock). */
  uid?: number;
}

export interface WorkloadSocketOptions {
  /** The workload socket's name in each directory; default workload.sock. */
  workloadSocketName?: string;
  /** More sockets in a module's directory (asked when the directory is first served). */
  extraSockets?: (module: string) => ExtraSocket[];
}

export class WorkloadSockets {
  private readonly modules = new Map<string, Promise<UnixListener[]>>();
  private readonly files = new Map<string, Promise<UnixListener>>();
  private shared?: UnixListener;
  private closed = false;
  private realHome?: Promise<string>;
  private mnt?: Promise<string>;

  constructor(
    private readonly home: string,
    private readonly deps: WorkloadDeps,
    private readonly logger: Logger,
    private readonly options: WorkloadSocketOptions = {},
  ) {}

  get workloadSocketName(): string {
    return this.options.workloadSocketName ?? WORKLOAD_SOCKET_NAME;
  }

  async listenShared(uri: string): Promise<void> {
    this.shared = await listenUnix(new HttpApi(workloadApi(this.deps), this.logger), uri, { mode: SHARED_WORKLOAD_SOCKET_MODE });
    this.logger.info(`workload API listening on ${uri}`);
  }

  /** Home with symlinks resolved: bind sources are compared as Docker keeps them. */
  root(): Promise<string> {
    return (this.realHome ??= fs.realpath(this.home).catch(() => this.home));
  }

  /**
   * Makes sure the module's directory exists and its sockets are served; answers the workload
   * socket's path. Idempotent and safe to call concurrently.
   */
  async ensure(module: string): Promise<string> {
    if (this.closed) throw new Error('the workload sockets are closed');
    checkName(module);
    let listening = this.modules.get(module);
    if (!listening) {
      listening = this.listenIn(module);
      this.modules.set(module, listening);
      listening.then(
        (ls) => this.logger.info(`workload socket for ${module} at ${ls[0].socketPath}`),
        () => this.modules.delete(module),
      );
    }
    return (await listening)[0].socketPath;
  }

  /** `<home>/mnt`, made (or made again) edged's alone, once per edged. */
  private mntDir(): Promise<string> {
    this.mnt ??= (async () => {
      const mnt = path.join(await this.root(), 'mnt');
      await fs.mkdir(mnt, { recursive: true, mode: MNT_DIR_MODE });
      await fs.chmod(mnt, MNT_DIR_MODE);
      return mnt;
    })();
    this.mnt.catch(() => (this.mnt = undefined));
    return this.mnt;
  }

  private async listenIn(module: string): Promise<UnixListener[]> {
    await this.mntDir();
    const dir = moduleSocketDir(await this.root(), module);
    await fs.mkdir(dir, { recursive: true, mode: MODULE_DIR_MODE });
    await fs.chmod(dir, MODULE_DIR_MODE);
    const sockets: ExtraSocket[] = [
      { name: this.workloadSocketName, api: this.moduleApi(module), mode: WORKLOAD_SOCKET_MODE },
      ...(this.options.extraSockets?.(module) ?? []),
    ];
    const listeners: UnixListener[] = [];
    try {
      for (const s of sockets) {
        const l = await listenUnix(s.api, `unix://${path.join(dir, s.name)}`, { mode: s.mode });
        listeners.push(l);
        if (s.uid !== undefined) {
          await fs.chown(l.socketPath, s.uid, -1).catch((e: Error) => this.logger.warn(`could not give ${l.socketPath} to uid ${s.uid}: ${e.message}`));
        }
      }
    } catch (e) {
      await Promise.all(listeners.map((l) => l.close()));
      throw e;
    }
    return listeners;
  }

  private moduleApi(module: string): HttpApi {
    return new HttpApi(workloadApi(this.deps, { boundModule: module }), this.logger.child(module));
  }

  /** Also serves the module's workload API at `<home>/mnt/<module>.sock`, for a container that has that file bound. */
  async serveSocketFile(module: string): Promise<string> {
    if (this.closed) throw new Error('the workload sockets are closed');
    checkName(module);
    let listening = this.files.get(module);
    if (!listening) {
      listening = (async () => {
        await this.mntDir();
        return listenUnix(this.moduleApi(module), `unix://${moduleSocketFile(await this.root(), module)}`, { mode: WORKLOAD_SOCKET_MODE });
      })();
      this.files.set(module, listening);
      listening.then(
        (l) => this.logger.info(`workload socket file for ${module} at ${l.socketPath} (its container binds the file)`),
        () => this.files.delete(module),
      );
    }
    return (await listening).socketPath;
  }

  /** The module's binds with its socket-file bind turned into its directory's; serves the file when one must stay. */
  async adaptBinds(module: string, binds: readonly string[]): Promise<string[]> {
    checkName(module);
    const result = rewriteSocketBinds(binds, await this.layoutOf(module));
    if (result.keptSocketFile) await this.serveSocketFile(module);
    return result.binds;
  }

  /** The module's directory, the sockets served there, and its old socket-file paths. */
  async layoutOf(module: string): Promise<ModuleSocketDir> {
    const real = await this.root();
    const names = [this.workloadSocketName, ...(this.options.extraSockets?.(module) ?? []).map((s) => s.name)];
    return {
      dir: moduleSocketDir(real, module),
      names,
      fileSources: [...new Set([moduleSocketFile(real, module), moduleSocketFile(this.home, module)])],
    };
  }

  /** Stops serving the module's sockets and removes its directory (and socket file). */
  async remove(module: string): Promise<void> {
    if (!isModuleName(module)) return;
    const listening = [this.modules.get(module), this.files.get(module)];
    this.modules.delete(module);
    this.files.delete(module);
    await Promise.all(listening.map(async (l) => closeAll(await l?.catch(() => undefined))));
    const real = await this.root();
    await fs.rm(moduleSocketDir(real, module), { recursive: true, force: true });
    await removeSocketFile(moduleSocketFile(real, module));
    if (listening.some((l) => l !== undefined)) this.logger.info(`workload socket for ${module} removed`);
  }

  /** Removes the directories and socket files of modules that are gone (removed while edged was not running). */
  async prune(existing: readonly string[]): Promise<void> {
    const real = await this.root();
    const mnt = path.join(real, 'mnt');
    const served = [...this.modules.keys()];
    const keepDirs = new Set([...existing, ...served].map((m) => path.basename(moduleSocketDir(real, m))));
    const keepFiles = new Set([...existing, ...this.files.keys()]);
    const entries = await fs.readdir(mnt, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const socketFile = e.isSocket() && e.name.endsWith('.sock') ? e.name.slice(0, -'.sock'.length) : undefined;
      if (e.isDirectory() ? keepDirs.has(e.name) : socketFile === undefined || keepFiles.has(socketFile)) continue;
      await fs.rm(path.join(mnt, e.name), { recursive: true, force: true });
      this.logger.info(`Removed the workload socket${e.isDirectory() ? ' directory' : ''} ${e.name}: no such module`);
    }
  }

  has(module: string): boolean {
    return this.modules.has(module);
  }

  /** Stops serving; the directories stay, so that running containers keep them bound until edged serves them again. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.modules.values(), ...this.files.values()];
    this.modules.clear();
    this.files.clear();
    await Promise.all(all.map(async (l) => closeAll(await (l as Promise<UnixListener | UnixListener[]>).catch(() => undefined))));
    await this.shared?.close();
  }
}

function checkName(module: string): void {
  checkModuleName(module);
}

/** Only a socket: `<module>.sock` may also be the directory of a module of that name. */
async function removeSocketFile(p: string): Promise<void> {
  const st = await fs.lstat(p).catch(() => undefined);
  if (st?.isSocket()) await fs.rm(p, { force: true });
}

async function closeAll(l: UnixListener | UnixListener[] | undefined): Promise<void> {
  await Promise.all((Array.isArray(l) ? l : l ? [l] : []).map((x) => x.close()));
}
