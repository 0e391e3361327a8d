/** Turns dockerode/docker-modem failures into the project's typed errors. */
import { EdgeError, NotFoundError, ConflictError, UnavailableError, BadRequestError } from '../../errors';

/** What docker-modem attaches to the errors it raises for HTTP answers. */
export interface DockerHttpError extends Error {
  statusCode?: number;
  json?: { message?: string } | null;
  reason?: string;
  code?: string;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOENT', 'EACCES', 'EPERM', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE']);

export function statusOf(e: unknown): number | undefined {
  return (e as DockerHttpError | undefined)?.statusCode;
}

/** The engine's own message, without docker-modem's "(HTTP code 404) no such container - " prefix. */
export function engineMessage(e: unknown): string {
  const err = e as DockerHttpError;
  if (err?.json && typeof err.json === 'object' && typeof err.json.message === 'string') return err.json.message;
  const text = err instanceof Error ? err.message : String(e);
  return text.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

export function isUnreachable(e: unknown): boolean {
  const code = (e as DockerHttpError | undefined)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}

export function engineUnavailable(endpoint: string, cause: unknown): UnavailableError {
  return new UnavailableError(`Docker engine not reachable at ${endpoint}`, {
    hint: 'Check that dockerd runs and that this process may open its socket',
    cause,
  });
}

/**
 * Maps an engine failure during `action` (e.g. "start module tempSensor") to a typed error.
 * 404/409 keep their meaning; everything else is a 500 carrying the engine's message.
 */
export function toEdgeError(e: unknown, action: string, endpoint: string): EdgeError {
  if (e instanceof EdgeError) return e;
  if (isUnreachable(e)) return engineUnavailable(endpoint, e);
  const status = statusOf(e);
  const message = `Could not ${action}: ${engineMessage(e)}`;
  if (status === 404) return new NotFoundError(message, { cause: e });
  if (status === 409) return new ConflictError(message, { cause: e });
  if (status === 400) return new BadRequestError(message, { cause: e });
  return new EdgeError(message, { cause: e, httpStatus: 500 });
}
