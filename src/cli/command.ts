/**
 * What a CLI command is. Each command lives in its own file under `commands/` and is loaded only
 * when it runs (or its help is shown), so `iotedge list` never loads what `iotedge check` needs.
 */
import type { Writable } from 'node:stream';
import type { Argv } from 'yargs';
import type { EngineConnect } from '../runtime/engine';
import type { ModuleRuntime } from '../runtime/types';
import type { ListedModule } from '../api/management/client/management-client';

/** The runtime as the CLI sees it: the management API, through the ModuleRuntime interface. */
export interface CliRuntime extends ModuleRuntime {
  list(): Promise<ListedModule[]>;
  logs(name: string, options: Parameters<ModuleRuntime['logs']>[1], signal?: AbortSignal): ReturnType<ModuleRuntime['logs']>;
}

export interface CliContext {
  env: NodeJS.ProcessEnv;
  stdout: Writable;
  stderr: Writable;
  /** Milliseconds since the epoch; injected so output with ages is testable. */
  now(): number;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: long-running commands end cleanly when it fires. */
  signal: AbortSignal;
  /** The management URI chosen by -H/--host, IOTEDGE_HOST or the default. */
  host: string;
  verbose: boolean;
  /** The management client for `host`, created on first use. */
  runtime(): CliRuntime;
  /** The container engine itself, for diagnostics (check, support-bundle): chosen by main.ts. */
  engineFor: EngineConnect;
}

/** One command module: `builder` declares positionals, options and at least one `.example()`. */
export interface CliCommand<A = Record<string, unknown>> {
  builder(y: Argv, ctx: CliContext): Argv;
  /** Absent for a command group whose builder registers subcommands with their own handlers. */
  run?(args: A, ctx: CliContext): Promise<void>;
}

/** An entry of `commands/index.ts`: what `iotedge --help` shows, and how to load the rest. */
export interface CommandEntry {
  /** A yargs command string, e.g. `logs <module>`. */
  command: string;
  describe: string;
  load(): CliCommand<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /**
   * The command takes no arguments or options of its own: when the command line is just its
   * name (and -H/--host, --verbose), it runs without loading yargs at all, which keeps
   * `iotedge list` fast.
   */
  fast?: boolean;
}
