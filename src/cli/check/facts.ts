/** Facts for the checks, each gathered once and on demand, from injected probes. */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { loadSuperConfigFile, readDropIns } from '../../config/load';
import type { SuperConfig } from '../../config/types';
import type { DiskSpace, EngineInfo, EngineProbe, Facts } from './types';

export interface FactDeps {
  configFile: string;
  edgedConfig: string;
  edgedHome: string;
  daemonJsonPath?: string;
  inSnap: boolean;
  bundledEngineUri?: string;
  engineFor(uri: string): EngineProbe;
  tlsConnect(host: string, port: number): Promise<void>;
  referenceTime(): Promise<Date>;
  diskSpace(dir: string): Promise<DiskSpace>;
  machineHostname(): string;
  now(): Date;
  listModules(): Promise<string[]>;
  /** When the running edged started (to tell whether it read the file's latest version). */
  edgedStarted(): Promise<Date | undefined>;
  readFile?(file: string): Promise<string>;
}

function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

const START_TIME_PRECISION_MS = 1000;

export function makeFacts(d: FactDeps): Facts {
  const readFile = d.readFile ?? ((f: string) => fs.readFile(f, 'utf8'));
  const config = once<SuperConfig>(() => loadSuperConfigFile(d.configFile, { home: d.edgedHome }));
  let probe: EngineProbe | undefined;
  const engineProbe = () => {
    if (!probe) throw new Error('the configuration was not read');
    return probe;
  };
  const engine = once<EngineInfo>(async () => {
    probe ??= d.engineFor((await config()).moby_runtime.uri);
    return probe.info();
  });
  return {
    configFile: d.configFile,
    config,
    configUpToDate: once(async () => {
      if (path.resolve(d.configFile) !== path.resolve(d.edgedConfig)) {
        const [a, b] = await Promise.all([readFile(d.configFile), readFile(d.edgedConfig).catch(() => undefined)]);
        return b === undefined ? 'no' : a === b ? 'yes' : 'no';
      }
      const started = await d.edgedStarted();
      if (!started) return 'unknown';
      const files = [d.configFile, ...(await readDropIns(path.join(path.dirname(d.configFile), 'config.d'))).map((s) => s.file)];
      const mtimes = await Promise.all(files.map((f) => fs.stat(f).then((s) => s.mtimeMs, () => 0)));
      // A process's start time comes from /proc in clock ticks after a boot time given in whole
      // seconds: allow that second, or a file written just before edged started looks newer.
      return Math.max(...mtimes) <= started.getTime() + START_TIME_PRECISION_MS ? 'yes' : 'no';
    }),
    engine,
    engineProbe,
    daemonJson: once(async () => {
      if (!d.daemonJsonPath) return {};
      try {
        return { path: d.daemonJsonPath, doc: JSON.parse(await readFile(d.daemonJsonPath)) as Record<string, unknown> };
      } catch {
        return { path: d.daemonJsonPath };
      }
    }),
    machineHostname: d.machineHostname,
    now: d.now,
    referenceTime: d.referenceTime,
    diskSpace: d.diskSpace,
    readFile,
    edgedHome: d.edgedHome,
    tlsConnect: d.tlsConnect,
    listModules: once(d.listModules),
    inSnap: d.inSnap,
    bundledEngineUri: d.bundledEngineUri,
  };
}
