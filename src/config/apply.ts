/**
 * `iotedge config apply`: validate the super-config (with the drop-ins edged will merge), write
 * the file edged reads (atomically, 0600), and have edged pick it up. As upstream, a hostname
 * change is refused while modules exist: their certificates and settings name the old host.
 *
 * In the snap, the keys the snap owns (engine socket, edged's sockets) are forced to the snap's
 * paths, as the configure hook does: a config imported from a 1.1 device names /var/run/... and
 * fd:// sockets that do not exist inside the snap.
 */
import { ConfigError } from '../errors';
import { assertValid, parseSources, type ConfigSource } from './parse';
import { toToml } from './serialize';
import type { TomlTable } from './merge';

export interface SnapOwnedKeys {
  dockerUri: string;
  managementUri: string;
  workloadUri: string;
}

export interface ApplyRequest {
  /** The file given with -c (or the default). */
  source: string;
  /** The file edged reads. */
  target: string;
  /** Set in the snap: keys forced to the snap's paths. */
  snapOwned?: SnapOwnedKeys;
}

export interface ApplyDeps {
  /** The file and the drop-ins of the TARGET's config.d (those are what edged merges). */
  readSources(file: string, dropInsOf: string): Promise<ConfigSource[]>;
  readIfExists(file: string): Promise<string | undefined>;
  writeFileAtomic(file: string, data: string, options: { mode: number }): Promise<void>;
  /** The machine's host name: what an unset `hostname` means. */
  machineHostname(): string;
  /** Names of the modules edged runs; throws UnavailableError when edged does not answer. */
  listModules(): Promise<string[]>;
  /** Make edged use the new file; answers a line for the user. */
  restart(): Promise<string>;
}

export async function applyConfig(req: ApplyRequest, deps: ApplyDeps): Promise<string[]> {
  const sources = await deps.readSources(req.source, req.target);
  const [main, ...dropIns] = sources;
  // Validate exactly what edged will see: the new main file (with the snap's keys) plus the drop-ins.
  let text = main.text;
  if (req.snapOwned) text = forceSnapKeys(parseSources([main]).doc, req.snapOwned, req.source) ?? text;
  const merged = assertValid(parseSources([{ file: main.file, text }, ...dropIns]));

  const previousText = await deps.readIfExists(req.target);
  const previousHostname = previousText === undefined ? undefined : hostnameOf(previousText, req.target, dropIns, deps);
  const hostname = typeof merged.hostname === 'string' ? merged.hostname : deps.machineHostname();
  if (previousHostname !== undefined && previousHostname !== hostname) await refuseIfModules(previousHostname, hostname, deps);

  const lines: string[] = [];
  if (previousText === text && req.source === req.target) lines.push(`${req.target} is valid and unchanged.`);
  else {
    await deps.writeFileAtomic(req.target, text, { mode: 0o600 });
    lines.push(`The configuration has been written to ${req.target}.`);
  }
  lines.push(await deps.restart());
  return lines;
}

function hostnameOf(text: string, file: string, dropIns: ConfigSource[], deps: ApplyDeps): string | undefined {
  try {
    const doc = parseSources([{ file, text }, ...dropIns]).doc;
    return typeof doc.hostname === 'string' ? doc.hostname : deps.machineHostname();
  } catch {
    return undefined; // the old file was broken: nothing ran with it
  }
}

async function refuseIfModules(previous: string, next: string, deps: ApplyDeps): Promise<void> {
  let modules: string[];
  try {
    modules = await deps.listModules();
  } catch (e) {
    throw new ConfigError(`the hostname changes from "${previous}" to "${next}", and the modules cannot be listed to check that none exist`, {
      hint: 'start edged (`iotedge system restart`) and apply again, or keep the old hostname',
      cause: e,
    });
  }
  if (modules.length > 0) {
    throw new ConfigError(`cannot change the hostname from "${previous}" to "${next}" while modules exist (${modules.join(', ')})`, {
      hint: 'their certificates name the old host: keep the old hostname, or remove the modules first (`iotedge system stop`, remove the containers, then apply again)',
    });
  }
}

/** The document with the snap's keys, as text; undefined when it already has them (the text, comments included, stays). */
function forceSnapKeys(doc: TomlTable, keys: SnapOwnedKeys, source: string): string | undefined {
  const table = (v: unknown): TomlTable => (v && typeof v === 'object' && !Array.isArray(v) ? (v as TomlTable) : {});
  const [moby, connect, listen] = [table(doc.moby_runtime), table(doc.connect), table(doc.listen)];
  if (
    moby.uri === keys.dockerUri &&
    connect.management_uri === keys.managementUri &&
    connect.workload_uri === keys.workloadUri &&
    listen.management_uri === keys.managementUri &&
    listen.workload_uri === keys.workloadUri
  )
    return undefined;
  const out: TomlTable = { ...doc };
  out.moby_runtime = { ...table(doc.moby_runtime), uri: keys.dockerUri };
  out.connect = { ...table(doc.connect), management_uri: keys.managementUri, workload_uri: keys.workloadUri };
  out.listen = { ...table(doc.listen), management_uri: keys.managementUri, workload_uri: keys.workloadUri };
  return toToml(out, `Written by \`iotedge config apply\` from ${source}.\nThe engine and edged sockets are the snap's own; edit the source and apply again.`);
}
