/**
 * config.toml from the snap's options, pure: a base document (raw-config, else the current
 * file, else the default), the options laid over it, and the keys the snap owns (the engine's
 * socket, edged's sockets) forced to the snap's paths. Validated by the config module's schema.
 */
import * as TOML from '@iarna/toml';
import { gcDefault } from '../config/image-gc';
import { parseSuperConfig } from '../config/load';
import type { SuperConfig } from '../config/types';
import { OptionError } from './errors';
import type { SnapOptions } from './options';
import type { SnapPaths } from './paths';

export type TomlDoc = Record<string, unknown>;

/** The first config.toml: the host name, and the image GC settings written out with their schema defaults so an operator sees them. */
export function defaultConfigDoc(hostname: string): TomlDoc {
  const gc = ['enabled', 'cleanup_recurrence', 'image_age_cleanup_threshold', 'cleanup_time'] as const;
  return { hostname, image_garbage_collection: Object.fromEntries(gc.map((k) => [k, gcDefault(k)])) };
}

export function parseToml(what: string, text: string): TomlDoc {
  try {
    return TOML.parse(text);
  } catch (e) {
    const line = (e as { line?: number }).line;
    throw new OptionError(`${what} is not valid TOML${line === undefined ? '' : ` (line ${line + 1})`}`, { cause: e });
  }
}

export interface RenderInput {
  base: TomlDoc;
  options: SnapOptions;
  paths: SnapPaths;
  /** The validated connection string from cs-file or connection-string, if given. */
  connectionString?: string;
  /** A deployment copy exists (or is being written) at paths.deploymentCopy. */
  deployment: boolean;
}

export function renderConfig(input: RenderInput): string {
  const { options, paths } = input;
  const doc: TomlDoc = structuredClone(input.base);
  for (const [toml, value] of options.config) setAt(doc, toml, value);
  if (input.connectionString) doc.provisioning = { source: 'manual', connection_string: input.connectionString };
  if (input.deployment) doc.local_deployment = { file: paths.deploymentCopy };
  // The snap's own engine and sockets, whatever a raw-config says: nothing else is reachable.
  const moby = { ...(table(doc.moby_runtime) ?? {}) };
  moby.uri = `unix://${paths.dockerSock}`;
  doc.moby_runtime = moby;
  doc.listen = { ...(table(doc.listen) ?? {}), management_uri: `unix://${paths.mgmtSock}`, workload_uri: `unix://${paths.workloadSock}` };
  doc.connect = { ...(table(doc.connect) ?? {}), management_uri: `unix://${paths.mgmtSock}`, workload_uri: `unix://${paths.workloadSock}` };
  return TOML.stringify(doc as TOML.JsonMap);
}

/** The config module's full validation; its error (one line, no secret) becomes the hook's. */
export function validateConfig(text: string, paths: SnapPaths): SuperConfig {
  return parseSuperConfig(text, { home: paths.edgedHome, source: 'config.toml', dropInDir: null });
}

/** Sets a key path, making the tables on the way. */
function setAt(doc: TomlDoc, toml: readonly string[], value: unknown): void {
  let at = doc;
  for (const key of toml.slice(0, -1)) at = at[key] = { ...(table(at[key]) ?? {}) };
  at[toml[toml.length - 1]] = value;
}

function table(v: unknown): TomlDoc | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as TomlDoc) : undefined;
}
