/**
 * `iotedge check`: upstream's checks and ids, for what makes sense on this appliance. A check
 * reads facts (gathered once, lazily, through injected probes) and answers a result; it never
 * prints. The report (text or JSON) is rendered from the results alone.
 */
import type { SuperConfig } from '../../config/types';

export type CheckResult =
  | { kind: 'ok' }
  | { kind: 'warning'; message: string; causes?: string[] }
  | { kind: 'error'; message: string; causes?: string[] }
  /** An error after which the remaining checks make no sense (upstream's Fatal). */
  | { kind: 'fatal'; message: string; causes?: string[] }
  | { kind: 'skipped' }
  /** Not applicable here: not shown, not counted. */
  | { kind: 'ignored' };

export const ok: CheckResult = { kind: 'ok' };
export const ignored: CheckResult = { kind: 'ignored' };
export const warning = (message: string, causes?: string[]): CheckResult => ({ kind: 'warning', message, causes });
export const error = (message: string, causes?: string[]): CheckResult => ({ kind: 'error', message, causes });

export interface Checker {
  id: string;
  description: string;
  /** Checks whose answer they need; skipped when one of them failed. */
  needs?: string[];
  run(facts: Facts): Promise<CheckResult>;
}

export interface Section {
  name: string;
  checks: Checker[];
  /** Run the section's checks at the same time (network probes with timeouts). */
  parallel?: boolean;
}

export interface EngineInfo {
  serverVersion: string;
  rootDir: string;
  loggingDriver?: string;
  name?: string;
}

/** The container engine, as check needs it (dockerode behind it; a fake in unit tests). */
export interface EngineProbe {
  info(): Promise<EngineInfo>;
  hasImage(image: string): Promise<boolean>;
}

export interface DiskSpace {
  freeBytes: number;
  totalBytes: number;
}

/** Everything a check may read, each fetched at most once. */
export interface Facts {
  configFile: string;
  /** The validated configuration (throws the ConfigError of a bad file). */
  config(): Promise<SuperConfig>;
  /** The text edged reads and the text of the config file, for "up to date". */
  configUpToDate(): Promise<'yes' | 'no' | 'unknown'>;
  engine(): Promise<EngineInfo>;
  engineProbe(): EngineProbe;
  /** daemon.json of the engine: undefined when absent, `path` says where it was looked for. */
  daemonJson(): Promise<{ path?: string; doc?: Record<string, unknown> }>;
  machineHostname(): string;
  now(): Date;
  /** The time of a reference clock (NTP); throws when it cannot be reached. */
  referenceTime(): Promise<Date>;
  diskSpace(dir: string): Promise<DiskSpace>;
  readFile(file: string): Promise<string>;
  edgedHome: string;
  /** TLS handshake with host:port within the probe timeout; throws with the reason. */
  tlsConnect(host: string, port: number): Promise<void>;
  listModules(): Promise<string[]>;
  inSnap: boolean;
  /** The engine socket this appliance ships (snap), to tell it from another engine. */
  bundledEngineUri?: string;
}
