/** A rejected `snap set`: one line on stderr, exit 1; nothing has been written. */
import { EdgeError, type EdgeErrorOptions } from '../errors';

export class OptionError extends EdgeError {
  constructor(message: string, options: EdgeErrorOptions = {}) {
    super(message, { exitCode: 2, ...options });
  }
}

/** The files are written; starting, stopping or restarting a service through snapd did not happen. */
export class ServicesError extends EdgeError {}
