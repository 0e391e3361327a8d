/**
 * Typed errors: a one-line message for the user, a hint saying what to do, an exit code for
 * processes and an HTTP status for the APIs. The original error is kept as `cause`.
 */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  notFound: 3,
  unavailable: 4,
  /** As upstream's edged: the settings are wrong, do not restart me until they are fixed. */
  badConfig: 153,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export interface EdgeErrorOptions {
  hint?: string;
  cause?: unknown;
  exitCode?: ExitCodeValue;
  httpStatus?: number;
  /** The command already told the user (e.g. `check`'s summary): only the exit code is left to give. */
  reported?: boolean;
}

export class EdgeError extends Error {
  readonly hint?: string;
  readonly exitCode: ExitCodeValue;
  readonly httpStatus: number;
  readonly reported: boolean;

  constructor(message: string, options: EdgeErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.httpStatus = options.httpStatus ?? 500;
    this.reported = options.reported ?? false;
  }
}

export class NotFoundError extends EdgeError {
  constructor(message: string, options: EdgeErrorOptions = {}) {
    super(message, { exitCode: ExitCode.notFound, httpStatus: 404, ...options });
  }
}

export class ConflictError extends EdgeError {
  constructor(message: string, options: EdgeErrorOptions = {}) {
    super(message, { httpStatus: 409, ...options });
  }
}

export class BadRequestError extends EdgeError {
  constructor(message: string, options: EdgeErrorOptions = {}) {
    super(message, { exitCode: ExitCode.usage, httpStatus: 400, ...options });
  }
}

/** A setting is wrong: the daemon exits with 153 and is not restarted until it is fixed. */
export class ConfigError extends EdgeError {
  constructor(message: string, options: EdgeErrorOptions = {}) {
    super(message, { exitCode: ExitCode.badConfig, httpStatus: 400, ...options });
  }
}

/** Something we depend on (the engine, a socket, the network) does not answer. */
export class UnavailableError extends EdgeError {
  constructor(message: string, options: EdgeErrorOptions = {}) {
    super(message, { exitCode: ExitCode.unavailable, httpStatus: 503, ...options });
  }
}

export class NotImplementedError extends EdgeError {
  constructor(message: string, options: EdgeErrorOptions = {}) {
    super(message, { httpStatus: 501, ...options });
  }
}

export function isEdgeError(e: unknown): e is EdgeError {
  return e instanceof EdgeError;
}

/** One line for a person: the message, then the hint. Never a stack unless asked. */
export function formatError(e: unknown, verbose = false): string {
  if (e instanceof EdgeError) {
    const line = e.hint ? `${e.message}. ${e.hint}` : e.message;
    return verbose ? `${line}\n${causeChain(e)}` : line;
  }
  const message = e instanceof Error ? e.message : String(e);
  return verbose && e instanceof Error ? `${message}\n${e.stack ?? ''}` : message;
}

function causeChain(e: Error): string {
  const parts: string[] = [e.stack ?? e.message];
  let cause = (e as { cause?: unknown }).cause;
  while (cause instanceof Error) {
    parts.push(`caused by: ${cause.stack ?? cause.message}`);
    cause = (cause as { cause?: unknown }).cause;
  }
  return parts.join('\n');
}

/** The one mapping from an error to a process's exit code: every entry point (bin/*) exits through it. */
export function exitCodeOf(e: unknown): number {
  return e instanceof EdgeError ? e.exitCode : ExitCode.failure;
}
