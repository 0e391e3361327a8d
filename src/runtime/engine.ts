/**
 * The container engine itself, as the CLI's diagnostics ask it (`iotedge check`, `iotedge
 * support-bundle`): its info, its version, whether an image is there. Asked directly, not through
 * edged, as upstream's check runs `docker`: edged may be what is down. Implemented once for Docker
 * (runtime/docker/diagnostics.ts); the CLI's entry point (cli/main.ts) picks it.
 */
export interface EngineDiagnostics {
  /** The engine's own document (`docker info`). */
  info(): Promise<Record<string, unknown>>;
  /** `docker version`. */
  version(): Promise<Record<string, unknown>>;
  /** Whether the image is in the engine's store (false for a 404, any other failure throws). */
  hasImage(image: string): Promise<boolean>;
}

/** The engine at `uri` (`[moby_runtime] uri`); throws a ConfigError at once for a URI it cannot use. */
export type EngineConnect = (uri: string, options: { timeoutMs: number }) => EngineDiagnostics;
