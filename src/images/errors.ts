/**
 * The image service's refusals: one line naming what is wrong and what to do. A bad input is a
 * 4xx (and exit code 2 in the CLI); nothing is written when one is thrown.
 */
import { BadRequestError, EdgeError, NotFoundError, type EdgeErrorOptions } from '../errors';

/** A device field, a base or a request that cannot be used as given. */
export class ImageInputError extends BadRequestError {}

/** What the base's grade or kind does not allow (a per-device secret on a signed model, ...). */
export class GradeError extends EdgeError {
  constructor(message: string, options: EdgeErrorOptions = {}) {
    super(message, { exitCode: 2, httpStatus: 422, ...options });
  }
}

/** The base image itself is unusable (truncated, no partition table, no FAT partition to write). */
export class BaseImageError extends EdgeError {
  constructor(message: string, options: EdgeErrorOptions = {}) {
    super(message, { exitCode: 2, httpStatus: 422, ...options });
  }
}

export class UnknownBaseError extends NotFoundError {}
