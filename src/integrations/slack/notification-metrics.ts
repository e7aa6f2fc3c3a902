import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { MetricsService } from '../../observability/metrics.service.js';
import { NotificationEntity, NotificationKind } from './notification.entity.js';

/** The outbox's self-metrics, on the app's registry (names: burnwatch_slack_*). */
@Injectable()
export class NotificationMetrics {
  readonly sent: Counter<'kind' | 'mode'>;
  readonly failed: Counter<'kind' | 'error'>;
  readonly retries: Counter<'error'>;
  readonly deliverySeconds: Histogram<'kind'>;

  constructor(@Inject(MetricsService) metrics: MetricsService, @InjectDataSource() dataSource: DataSource) {
    const registers = [metrics.registry];
    this.sent = new Counter({
      name: 'burnwatch_slack_notifications_sent_total',
      help: 'Slack notifications delivered (mode "slack") or kept in dry-run (mode "dry-run"), by kind.',
      labelNames: ['kind', 'mode'] as const,
      registers,
    });
    this.failed = new Counter({
      name: 'burnwatch_slack_notifications_failed_total',
      help: 'Slack notifications given up on: a permanent Slack error or retries past SLACK_GIVE_UP_AFTER_SECONDS.',
      labelNames: ['kind', 'error'] as const,
      registers,
    });
    this.retries = new Counter({
      name: 'burnwatch_slack_notification_retries_total',
      help: 'Failed Slack delivery attempts that will be retried, by error (ratelimited, http_500, …).',
      labelNames: ['error'] as const,
      registers,
    });
    this.deliverySeconds = new Histogram({
      name: 'burnwatch_slack_notification_delivery_seconds',
      help: 'Time from an alert transition to its Slack message being delivered.',
      labelNames: ['kind'] as const,
      buckets: [0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600],
      registers,
    });
    new Gauge({
      name: 'burnwatch_slack_notifications_pending',
      help: 'Slack notifications waiting to be delivered (including those waiting for a retry).',
      registers,
      async collect() {
        try {
          this.set(await dataSource.manager.countBy(NotificationEntity, { state: 'pending' }));
        } catch {
          // The database is unreachable: leave the last value rather than fail the whole scrape.
        }
      },
    });
  }

  delivered(kind: NotificationKind, mode: 'slack' | 'dry-run', transitionAt?: Date, now?: Date): void {
    this.sent.inc({ kind, mode });
    if (transitionAt && now && mode === 'slack') {
      this.deliverySeconds.observe({ kind }, Math.max(0, (now.getTime() - transitionAt.getTime()) / 1000));
    }
  }
}
