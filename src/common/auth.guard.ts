import { CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { CONFIG } from '../config/config.module.js';
import type { Config } from '../config/config.js';
import { BurnwatchError } from './errors.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const SIGNED_ELSEWHERE = 'burnwatch:signedElsewhere';

/**
 * A route its caller cannot send the API token to (Slack's interactions): the route itself must check another
 * proof instead (Slack's request signature).
 */
export const NoApiToken = (): MethodDecorator & ClassDecorator => SetMetadata(SIGNED_ELSEWHERE, true);

/** With BURNWATCH_API_TOKEN set, writes need `Authorization: Bearer <token>`; reads stay open. */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(
    @Inject(CONFIG) config: Config,
    @Inject(Reflector) private readonly reflector: Reflector,
  ) {
    this.expected = config.apiToken === undefined ? undefined : Buffer.from(config.apiToken);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.expected === undefined) return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (READ_METHODS.has(request.method)) return true;
    const signedElsewhere = this.reflector.getAllAndOverride<boolean>(SIGNED_ELSEWHERE, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (signedElsewhere) return true;
    const header = request.headers.authorization;
    if (header === undefined) {
      throw new BurnwatchError('unauthorized', [
        {
          field: 'Authorization',
          message: 'this write needs the header "Authorization: Bearer <BURNWATCH_API_TOKEN>"',
        },
      ]);
    }
    const match = /^Bearer\s+(.+)$/i.exec(header);
    const given = Buffer.from(match?.[1]?.trim() ?? '');
    if (given.length !== this.expected.length || !timingSafeEqual(given, this.expected)) {
      throw new BurnwatchError('unauthorized', [
        { field: 'Authorization', message: 'the bearer token is not valid' },
      ]);
    }
    return true;
  }
}
