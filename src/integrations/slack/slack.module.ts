import { Inject, MiddlewareConsumer, Module, NestModule, OnModuleInit, RequestMethod } from '@nestjs/common';
import { AlertsModule } from '../../alerts/alerts.module.js';
import { AlertTransitionHooks } from '../../alerts/alert-transition-hooks.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { NotificationDispatcher } from './notification-dispatcher.js';
import { NotificationMetrics } from './notification-metrics.js';
import { NotificationsController } from './notifications.controller.js';
import { NotificationsService } from './notifications.service.js';
import { SilenceRelease } from './silence-release.js';
import { SLACK_API_PORT, WebClientSlackApi } from './slack-api.js';
import {
  INTERACTIONS_PATH,
  SlackInteractionsController,
  keepRawBody,
} from './slack-interactions.controller.js';
import { SlackInteractionsService } from './slack-interactions.service.js';
import { SlackOutboxListener } from './slack-outbox.listener.js';
import { SloModule } from '../../slo/slo.module.js';

/** Slack notifications: the outbox listener, its dispatcher, and the notifications API. */
@Module({
  imports: [AlertsModule, SloModule],
  controllers: [NotificationsController, SlackInteractionsController],
  providers: [
    {
      provide: SLACK_API_PORT,
      inject: [CONFIG],
      useFactory: (config: Config) =>
        config.slack.botToken
          ? new WebClientSlackApi({
              token: config.slack.botToken,
              apiUrl: config.slack.apiUrl,
              timeoutMs: config.slack.requestTimeoutMs,
            })
          : null,
    },
    SlackOutboxListener,
    SilenceRelease,
    NotificationDispatcher,
    NotificationMetrics,
    NotificationsService,
    SlackInteractionsService,
  ],
  exports: [NotificationDispatcher],
})
export class SlackModule implements OnModuleInit, NestModule {
  constructor(
    @Inject(AlertTransitionHooks) private readonly hooks: AlertTransitionHooks,
    @Inject(SlackOutboxListener) private readonly listener: SlackOutboxListener,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this.listener);
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(keepRawBody).forRoutes({ path: INTERACTIONS_PATH, method: RequestMethod.POST });
  }
}
