import { BadRequestError } from '../../errors';
import { DeploymentStatusCode } from '../types';

/**
 * A manifest the agent will not apply. `field` is the path inside `$edgeAgent`'s desired
 * properties (e.g. `modules.tempSensor.settings.image`); `code` is upstream's deployment status code.
 */
export class DeploymentError extends BadRequestError {
  readonly field?: string;
  readonly code: number;

  constructor(message: string, options: { field?: string; hint?: string; code?: number; cause?: unknown } = {}) {
    super(options.field ? `${options.field}: ${message}` : message, {
      hint: options.hint ?? 'fix the deployment manifest; the previous deployment keeps running',
      cause: options.cause,
    });
    this.field = options.field;
    this.code = options.code ?? DeploymentStatusCode.formatError;
  }
}
