import { ConfigError } from '../errors';
import type { ConfigIssue } from './schema/types';

/** A problem placed in a file: `file:line: key.path: message`. */
export interface LocatedIssue extends ConfigIssue {
  file: string;
  line?: number;
}

export function keyPath(path: readonly string[]): string {
  return path.map((p) => (/^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(p))).join('.');
}

export function formatIssue(issue: LocatedIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  const key = issue.path.length ? `${keyPath(issue.path)}: ` : '';
  return `${where}: ${key}${issue.message}`;
}

/** The configuration is wrong (or asks for what this appliance cannot do): every problem, the first in the message. */
export class ConfigValidationError extends ConfigError {
  readonly issues: LocatedIssue[];

  constructor(issues: LocatedIssue[]) {
    const [first] = issues;
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    super(`${formatIssue(first)}${more}`, { hint: capitalise(first.hint ?? 'fix the file and try again') });
    this.issues = issues;
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
