import { Inject, Injectable, Logger, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { MetricsService } from './metrics.service.js';

/** One log line and one histogram observation per request. Headers are never logged (they carry tokens). */
@Injectable()
export class RequestLoggingMiddleware implements NestMiddleware {
  private readonly logger = new Logger('http');

  constructor(@Inject(MetricsService) private readonly metrics: MetricsService) {}

  use(request: Request, response: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    response.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(request);
      this.metrics.httpRequestDuration.observe(
        { method: request.method, route, status_code: String(response.statusCode) },
        seconds,
      );
      this.logger.log({
        msg: 'request',
        method: request.method,
        path: request.originalUrl.split('?')[0],
        route,
        status: response.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
      });
    });
    next();
  }
}

function routeOf(request: Request): string {
  const matched = (request as Request & { route?: { path?: string } }).route?.path;
  if (typeof matched === 'string') return request.baseUrl + matched;
  return 'unmatched';
}
