import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { databaseUnavailableReason } from './database-unavailable.js';
import { BurnwatchError, httpStatusOf } from './errors.js';
import { FieldError } from './field-error.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Every error leaves the API as `{ statusCode, error, errors: [{ field, message }] }`. */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, errors } = this.describe(exception);
    if (status >= 500)
      this.logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
    if (status === 401) response.setHeader('WWW-Authenticate', 'Bearer realm="burnwatch"');
    // A handler may have set another Content-Type (YAML export) before failing.
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.status(status).json({ statusCode: status, error: REASONS[status] ?? 'Error', errors });
  }

  private describe(exception: unknown): { status: number; errors: FieldError[] } {
    if (exception instanceof BurnwatchError) {
      return { status: httpStatusOf(exception.code), errors: exception.errors };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      // Burnwatch's own validation throws BurnwatchError, so a bare 400 here comes from reading the body.
      const field = status === 400 ? '(body)' : '(request)';
      return { status, errors: [{ field, message: messageOf(exception.getResponse()) }] };
    }
    const bodyError = exception as { type?: string; status?: number; message?: string };
    // Errors raised by the JSON body parser before any controller runs.
    if (typeof bodyError?.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
      const message =
        bodyError.type === 'entity.parse.failed'
          ? `is not valid JSON: ${bodyError.message}`
          : bodyError.type === 'entity.too.large'
            ? 'is larger than the 1 MB the API accepts'
            : (bodyError.message ?? 'could not be read');
      return { status: bodyError.status, errors: [{ field: '(body)', message }] };
    }
    // The database down or hanging: a 503 with the reason, which a client (or a load balancer) may retry.
    const unavailable = databaseUnavailableReason(exception);
    if (unavailable) return { status: 503, errors: [{ field: '(database)', message: unavailable }] };
    return {
      status: 500,
      errors: [{ field: '(server)', message: 'an unexpected error occurred; it has been logged' }],
    };
  }
}

function messageOf(response: string | object): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : 'request refused';
}
