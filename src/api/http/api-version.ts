/** `api-version` is mandatory on every request, with upstream's words for the two failures. */
import { HttpError } from './errors';

export function requireApiVersion(query: URLSearchParams, versions: readonly string[]): string {
  const all = query.getAll('api-version');
  // Upstream keeps the last occurrence when the parameter is repeated.
  const value = all[all.length - 1];
  if (value === undefined) throw new HttpError(400, 'api-version not specified');
  if (!versions.includes(value)) throw new HttpError(400, `invalid api-version ${JSON.stringify(value)}`);
  return value;
}

/** Whether a route that exists from `since` on is part of `version`. */
export function versionIncludes(versions: readonly string[], since: string | undefined, version: string): boolean {
  if (since === undefined) return true;
  const from = versions.indexOf(since);
  if (from < 0) throw new Error(`route declared from unknown api-version ${since}`);
  return versions.indexOf(version) >= from;
}
