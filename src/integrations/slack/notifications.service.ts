import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { BurnwatchError } from '../../common/errors.js';
import { CONFIG } from '../../config/config.module.js';
import { Config, SLACK_CHANNEL_PATTERN } from '../../config/config.js';
import { toFieldErrors } from '../../slo/domain/slo-schema.js';
import { isChannelError } from './domain/delivery-policy.js';
import { testMessage } from './domain/slack-message.js';
import { NotificationEntity, NotificationState } from './notification.entity.js';
import { NotificationMetrics } from './notification-metrics.js';
import { NotificationDetailView, toNotificationDetailView } from './notification-views.js';
import { SLACK_API_PORT, SlackApi, SlackCallError } from './slack-api.js';

const testRequestSchema = z.strictObject({
  channel: z
    .string()
    .regex(
      SLACK_CHANNEL_PATTERN,
      'must be a channel name such as "#payments-oncall" or an ID such as "C0123ABCD"',
    )
    .optional(),
});

export interface NotificationQuery {
  state?: NotificationState;
  limit: number;
}

@Injectable()
export class NotificationsService {
  private readonly logger = new Logger('SlackNotifications');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(SLACK_API_PORT) private readonly api: SlackApi | null,
    @Inject(NotificationMetrics) private readonly metrics: NotificationMetrics,
  ) {}

  /** Recent notifications, newest first, with their messages (dry-run ones included). */
  async list(query: NotificationQuery): Promise<{ dryRun: boolean; items: NotificationDetailView[] }> {
    const rows = await this.dataSource.manager.find(NotificationEntity, {
      where: query.state ? { state: query.state } : {},
      order: { seq: 'DESC' },
      take: query.limit,
    });
    return { dryRun: this.api === null, items: rows.map(toNotificationDetailView) };
  }

  /** Sends a sample message now (not through the outbox), so that a user sees at once whether Slack accepts it. */
  async sendTest(body: unknown, now: Date): Promise<NotificationDetailView> {
    const parsed = testRequestSchema.safeParse(body ?? {}, { reportInput: true });
    if (!parsed.success) throw BurnwatchError.invalid(toFieldErrors(parsed.error));
    const channel = parsed.data.channel ?? this.config.slack.defaultChannel;
    if (!channel) {
      throw BurnwatchError.invalid([
        { field: 'channel', message: 'is required (SLACK_DEFAULT_CHANNEL is not set to fall back on)' },
      ]);
    }
    const message = testMessage(channel, this.config.publicUrl, now);
    // Stored once the outcome is known: a pending test row would be the dispatcher's to send.
    const row = this.dataSource.manager.create(NotificationEntity, {
      id: randomUUID(),
      alertId: null,
      transitionId: null,
      kind: 'test',
      channel,
      transition: null,
      message,
      attempts: 1,
      nextAttemptAt: now,
    });
    if (!this.api) {
      this.logger.log({
        msg: 'Dry-run (no SLACK_BOT_TOKEN): test message not sent',
        channel,
        text: message.text,
      });
      const saved = await this.dataSource.manager.save(NotificationEntity, {
        ...row,
        state: 'dry-run',
        sentAt: now,
      });
      this.metrics.delivered('test', 'dry-run');
      return toNotificationDetailView(saved);
    }
    try {
      const posted = await this.api.post({ channel, message, notificationId: row.id });
      const saved = await this.dataSource.manager.save(NotificationEntity, {
        ...row,
        state: 'sent',
        channelId: posted.channelId,
        ts: posted.ts,
        sentAt: new Date(),
      });
      this.metrics.delivered('test', 'slack');
      return toNotificationDetailView(saved);
    } catch (error) {
      const failure = error instanceof SlackCallError ? error : undefined;
      await this.dataSource.manager.save(NotificationEntity, {
        ...row,
        state: 'failed',
        error: failure?.message ?? String(error),
      });
      if (!failure) throw error;
      this.metrics.failed.inc({ kind: 'test', error: failure.slackError.split(' ')[0] });
      throw testFailure(failure);
    }
  }
}

/** Says whose fault a refused test message is: the channel (400), or the token and Slack itself (503). */
function testFailure(error: SlackCallError): BurnwatchError {
  if (isChannelError(error.slackError)) {
    return BurnwatchError.invalid([
      { field: 'channel', message: `Slack refused the message: ${error.message}` },
    ]);
  }
  if (error.permanent) {
    return new BurnwatchError('unavailable', [
      { field: 'SLACK_BOT_TOKEN', message: `Slack refused the message: ${error.message}` },
    ]);
  }
  return new BurnwatchError('unavailable', [
    { field: '(slack)', message: `Slack did not take the message now (${error.message}); try again` },
  ]);
}
