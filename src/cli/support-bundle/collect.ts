/**
 * What goes in a support bundle, gathered one item at a time with a progress line for each.
 * A part that cannot be had (edged down, engine gone) becomes a note in the bundle, not a failure:
 * the bundle is most needed exactly when something is broken.
 */
import { formatError } from '../../errors';

export interface BundleEntry {
  name: string;
  data: Buffer;
}

export interface BundleSources {
  /** The configuration files (main file and drop-ins), already redacted. */
  configFiles(): Promise<Array<{ name: string; text: string }>>;
  daemonLogs(sinceSeconds: number): Promise<string>;
  /** `iotedge list` as printed, and the module names. */
  modules(): Promise<{ listing: string; names: string[] }>;
  moduleLogs(name: string, sinceSeconds: number): Promise<Buffer>;
  checkOutput(): Promise<string>;
  engineInfo(): Promise<unknown>;
}

export async function collectBundle(sources: BundleSources, sinceSeconds: number, progress: (line: string) => void): Promise<BundleEntry[]> {
  const entries: BundleEntry[] = [];
  const add = (name: string, data: string | Buffer) => entries.push({ name, data: Buffer.isBuffer(data) ? data : Buffer.from(data) });
  const step = async <T>(what: string, name: string, f: () => Promise<T>, write: (v: T) => void) => {
    progress(`Collecting ${what}...`);
    try {
      write(await f());
    } catch (e) {
      add(`${name}.error.txt`, `Could not collect ${what}: ${formatError(e)}\n`);
    }
  };
  await step('the configuration (secrets redacted)', 'config', sources.configFiles, (files) => files.forEach((f) => add(`config/${f.name}`, f.text)));
  await step('the daemon logs', 'logs/daemons', () => sources.daemonLogs(sinceSeconds), (t) => add('logs/daemons.log', t));
  let names: string[] = [];
  await step('the module list', 'iotedge-list', sources.modules, (m) => {
    add('iotedge-list.txt', m.listing);
    names = m.names;
  });
  for (const name of names) {
    await step(`the logs of ${name}`, `logs/${name}`, () => sources.moduleLogs(name, sinceSeconds), (b) => add(`logs/${name}.log`, b));
  }
  await step('the check results', 'check', sources.checkOutput, (t) => add('check.json', t));
  await step('the container engine information', 'engine', sources.engineInfo, (i) => add('engine.json', `${JSON.stringify(i, null, 2)}\n`));
  return entries;
}
