import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { NoApiToken } from '../../common/auth.guard.js';
import { SlackInteractionsService } from './slack-interactions.service.js';

export const INTERACTIONS_PATH = 'api/v1/slack/interactions';
const MAX_BODY_BYTES = 1024 * 1024;
const ERRORS = { $ref: '#/components/schemas/Errors' };

@ApiTags('Slack')
@Controller(INTERACTIONS_PATH)
export class SlackInteractionsController {
  constructor(@Inject(SlackInteractionsService) private readonly interactions: SlackInteractionsService) {}

  @Post()
  @HttpCode(200)
  // Slack cannot send the API token: the request signature (SLACK_SIGNING_SECRET) is checked instead.
  @NoApiToken()
  @ApiOperation({
    summary: "Slack's interactivity request URL: the buttons on alert messages and the Not a real burn modal",
    description:
      'Signed by Slack (X-Slack-Signature, v0 HMAC-SHA256 with SLACK_SIGNING_SECRET; X-Slack-Request-Timestamp ' +
      'within 5 minutes), form-encoded payload= of block_actions or view_submission. Needs no API token.',
  })
  @ApiResponse({ status: 200, description: 'Done (or a view_submission with errors for the modal)' })
  @ApiResponse({
    status: 401,
    description: 'Missing, stale or wrong signature: nothing done',
    schema: ERRORS,
  })
  @ApiResponse({ status: 503, description: 'SLACK_SIGNING_SECRET is not set', schema: ERRORS })
  handle(@Req() request: Request): Promise<unknown> {
    return this.interactions.handle({
      rawBody: Buffer.isBuffer(request.body) ? request.body : undefined,
      timestamp: header(request, 'x-slack-request-timestamp'),
      signature: header(request, 'x-slack-signature'),
    });
  }
}

function header(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The signature covers the exact bytes Slack sent, so this route keeps them: the body is read as a Buffer,
 * unparsed (no other parser takes application/x-www-form-urlencoded; a JSON body, already parsed, stays as it
 * is and fails the signature check).
 */
export function keepRawBody(request: Request, response: Response, next: NextFunction): void {
  // Already read by a parser (a JSON or text body): nothing left to keep.
  if (request.readableEnded || (request as { _body?: boolean })._body) return next();
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES && !done) {
      done = true;
      response.status(413).json({ errors: [{ field: '(body)', message: 'must be at most 1 MB' }] });
      request.destroy();
    } else if (!done) chunks.push(chunk);
  });
  request.on('end', () => {
    if (done) return;
    done = true;
    request.body = Buffer.concat(chunks);
    next();
  });
  request.on('error', (error) => {
    if (!done) {
      done = true;
      next(error);
    }
  });
}
