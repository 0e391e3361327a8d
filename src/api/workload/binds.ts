/**
 * How a module's workload sockets reach its container. edged binds a DIRECTORY, the module's
 * `<home>/mnt/<module>/`, read-only where the module looks for its sockets: when edged restarts,
 * the new socket appears in that directory and the running container sees it. A bound socket
 * FILE would pin the old inode, dead once edged restarts, until the container restarts.
 *
 * Upstream's edgeAgent still asks for the file (`<IOTEDGE_WORKLOADLISTEN_MNTURI>/<module>.sock`
 * on `/var/run/iotedge/workload.sock`, and for itself the management socket beside it): those
 * binds are turned into the directory's here. Pure functions.
 */
import * as path from 'node:path';

export interface Bind {
  source: string;
  target: string;
  options?: string;
}

/** Docker's `source:target[:options]` (Linux paths only); undefined for named volumes and the like. */
export function parseBind(bind: string): Bind | undefined {
  const parts = bind.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0].startsWith('/') || !parts[1].startsWith('/')) return undefined;
  return { source: clean(parts[0]), target: clean(parts[1]), options: parts[2] };
}

/** A normalized path without a trailing slash, as Docker compares mount paths. */
function clean(p: string): string {
  const n = path.posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

export interface ModuleSocketDir {
  /** The module's socket directory on the host. */
  dir: string;
  /** The socket files served in it (`workload.sock`; edgeAgent's also `mgmt.sock`). */
  names: string[];
  /** Host paths of the module's old-style socket file (`<home>/mnt/<module>.sock`, also under the real path of home). */
  fileSources: string[];
}

export interface RewrittenBinds {
  binds: string[];
  /** A socket-file bind was left as asked (its target is not a socket the directory serves): serve the file too. */
  keptSocketFile: boolean;
}

/**
 * The module's socket-file bind becomes its directory bound read-only at the target's directory;
 * binds of other sockets into that directory (the management socket edgeAgent binds for itself)
 * go, since the directory serves them and a mount inside a read-only one cannot be made.
 */
export function rewriteSocketBinds(binds: readonly string[], layout: ModuleSocketDir): RewrittenBinds {
  const dir = clean(layout.dir);
  const fileSources = new Set(layout.fileSources.map((s) => clean(s)));
  const out: string[] = [];
  const dirTargets = new Set(binds.map(parseBind).flatMap((b) => (b && b.source === dir ? [b.target] : [])));
  let keptSocketFile = false;
  for (const bind of binds) {
    const b = parseBind(bind);
    if (!b || !fileSources.has(b.source)) {
      out.push(bind);
      continue;
    }
    if (!layout.names.includes(path.posix.basename(b.target))) {
      out.push(bind);
      keptSocketFile = true;
      continue;
    }
    const target = path.posix.dirname(b.target);
    if (!dirTargets.has(target)) out.push(`${dir}:${target}:ro`);
    dirTargets.add(target);
  }
  const served = new Set([...dirTargets].flatMap((t) => layout.names.map((n) => path.posix.join(t, n))));
  return {
    binds: out.filter((bind) => {
      const b = parseBind(bind);
      return !b || b.source === dir || !served.has(b.target);
    }),
    keptSocketFile,
  };
}

/** Whether a container (its inspected Mounts) has the module's socket bound as a file, as edged did before directories. */
export function hasSocketFileBind(mounts: readonly { Source?: string; Type?: string }[], fileSources: readonly string[]): boolean {
  const sources = new Set(fileSources.map((s) => clean(s)));
  return mounts.some((m) => (m.Type === undefined || m.Type === 'bind') && !!m.Source && sources.has(clean(m.Source)));
}
