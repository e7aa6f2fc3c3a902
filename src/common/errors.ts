import { FieldError } from './field-error.js';

export type ErrorCode =
  'invalid' | 'not_found' | 'conflict' | 'precondition_failed' | 'unauthorized' | 'unavailable';

/** The one error type domain and service code throws; the HTTP filter maps its code to a status. */
export class BurnwatchError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly errors: FieldError[],
  ) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'BurnwatchError';
  }

  static invalid(errors: FieldError[]): BurnwatchError {
    return new BurnwatchError('invalid', errors);
  }

  static notFound(field: string, message: string): BurnwatchError {
    return new BurnwatchError('not_found', [{ field, message }]);
  }

  static conflict(field: string, message: string): BurnwatchError {
    return new BurnwatchError('conflict', [{ field, message }]);
  }

  static preconditionFailed(field: string, message: string): BurnwatchError {
    return new BurnwatchError('precondition_failed', [{ field, message }]);
  }
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case 'invalid':
      return 400;
    case 'unauthorized':
      return 401;
    case 'not_found':
      return 404;
    case 'conflict':
      return 409;
    case 'precondition_failed':
      return 412;
    case 'unavailable':
      return 503;
  }
}
