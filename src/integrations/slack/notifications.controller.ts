import { Body, Controller, Get, HttpCode, Inject, Post, Query } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CLOCK, Clock } from '../../common/clock.js';
import { BurnwatchError } from '../../common/errors.js';
import { intParam, optionalString } from '../../common/query-params.js';
import type { NotificationState } from './notification.entity.js';
import type { NotificationDetailView } from './notification-views.js';
import { NotificationsService } from './notifications.service.js';

const STATES: readonly NotificationState[] = ['pending', 'sent', 'failed', 'dry-run', 'held'];
const ERRORS = { $ref: '#/components/schemas/Errors' };
const NOTIFICATION = {
  type: 'object',
  properties: {
    id: { type: 'string', format: 'uuid' },
    alertId: { type: 'string', format: 'uuid', nullable: true },
    kind: { type: 'string', enum: ['fired', 'escalated', 'resolved', 'test'] },
    channel: { type: 'string' },
    state: { type: 'string', enum: [...STATES] },
    attempts: { type: 'integer' },
    error: {
      type: 'string',
      nullable: true,
      description: "Slack's error code with a hint, when delivery failed",
    },
    createdAt: { type: 'string', format: 'date-time' },
    sentAt: { type: 'string', format: 'date-time', nullable: true },
    nextAttemptAt: { type: 'string', format: 'date-time', nullable: true },
    ts: { type: 'string', nullable: true, description: "Slack's timestamp id of the message" },
    threadTs: { type: 'string', nullable: true },
    silenceId: {
      type: 'string',
      format: 'uuid',
      nullable: true,
      description:
        'held: the silence that held it (never sent); pending or sent: the silence whose end it tells',
    },
    message: {
      type: 'object',
      nullable: true,
      description:
        'The message as sent (or, in dry-run, as it would have been): Block Kit blocks and fallback text',
      properties: { text: { type: 'string' }, blocks: { type: 'array', items: { type: 'object' } } },
    },
  },
};

@ApiTags('Notifications')
@Controller('api/v1/notifications')
export class NotificationsController {
  constructor(
    @Inject(NotificationsService) private readonly notifications: NotificationsService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Recent Slack notifications, newest first, with their messages (dry-run included)',
  })
  @ApiQuery({ name: 'state', required: false, enum: [...STATES] })
  @ApiQuery({ name: 'limit', required: false, description: '1 to 500, default 50' })
  @ApiResponse({
    status: 200,
    schema: {
      type: 'object',
      properties: {
        dryRun: { type: 'boolean', description: 'true when SLACK_BOT_TOKEN is unset: nothing is sent' },
        items: { type: 'array', items: NOTIFICATION },
      },
    },
  })
  @ApiResponse({ status: 400, schema: ERRORS })
  list(
    @Query() query: Record<string, unknown>,
  ): Promise<{ dryRun: boolean; items: NotificationDetailView[] }> {
    const state = optionalString('state', query.state);
    if (state !== undefined && !STATES.includes(state as NotificationState)) {
      throw BurnwatchError.invalid([
        { field: 'state', message: `must be one of ${STATES.join(', ')}, got "${state}"` },
      ]);
    }
    return this.notifications.list({
      state: state as NotificationState | undefined,
      limit: intParam('limit', query.limit, 50, 1, 500),
    });
  }

  @Post('test')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Send a test message to a channel now, to check the token and the channel',
    description:
      'Without a channel, SLACK_DEFAULT_CHANNEL is used. In dry-run (no SLACK_BOT_TOKEN) the message is kept, not sent.',
  })
  @ApiBody({
    schema: {
      type: 'object',
      properties: { channel: { type: 'string', example: '#payments-oncall' } },
    },
  })
  @ApiResponse({ status: 201, description: 'Sent (state "sent") or kept in dry-run', schema: NOTIFICATION })
  @ApiResponse({ status: 400, description: 'Bad channel, or Slack refused the channel', schema: ERRORS })
  @ApiResponse({ status: 503, description: 'Slack refused the token or is unavailable', schema: ERRORS })
  test(@Body() body: unknown): Promise<NotificationDetailView> {
    return this.notifications.sendTest(body, this.clock.now());
  }
}
