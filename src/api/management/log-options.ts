/** The query of GET /modules/{name}/logs, checked as upstream: a bad value is a 400 naming it. */
import { BadRequestError } from '../../errors';
import type { LogOptions } from '../../runtime/types';
import { parseTimeSpec } from './time-spec';

function invalid(name: string, value: string, hint: string): never {
  throw new BadRequestError(`invalid parameter: ${name} (${JSON.stringify(value)})`, { hint });
}

function bool(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  if (v === null) return false;
  if (v === 'true' || v === '') return true;
  if (v === 'false') return false;
  return invalid(name, v, 'use true or false');
}

export function parseLogOptions(query: URLSearchParams, nowMs: number): LogOptions {
  const options: LogOptions = {
    follow: bool(query, 'follow'),
    tail: 'all',
    timestamps: bool(query, 'timestamps'),
  };
  const tail = query.get('tail');
  if (tail !== null && tail !== 'all') {
    if (!/^\d+$/.test(tail)) invalid('tail', tail, 'use a number of lines or "all"');
    options.tail = Number(tail);
  }
  for (const name of ['since', 'until'] as const) {
    const v = query.get(name);
    if (v === null) continue;
    const t = parseTimeSpec(v, nowMs);
    if (t === undefined) invalid(name, v, 'use unix seconds, an RFC 3339 time, or a duration such as "90m" or "1 day"');
    // Upstream's default since is 0: every line.
    if (t !== 0 || name === 'until') options[name] = t;
  }
  return options;
}
