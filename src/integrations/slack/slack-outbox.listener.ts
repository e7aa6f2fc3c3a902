import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Not } from 'typeorm';
import type { AlertTransitionEvent, AlertTransitionListener } from '../../alerts/alert-transition-hooks.js';
import { SilencesService } from '../../alerts/silences/silences.service.js';
import { CLOCK, Clock } from '../../common/clock.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import type { NotifiedTransition } from './domain/slack-message.js';
import { NotificationEntity } from './notification.entity.js';

/**
 * Enqueues the Slack notification of every alert transition, inside the transition's own transaction: the
 * transition and its notification are stored together or not at all. Nothing is sent here. A transition a silence
 * holds is stored as 'held' with that silence's id, and never sent (see SilenceRelease for when it ends).
 */
@Injectable()
export class SlackOutboxListener implements AlertTransitionListener {
  readonly name = 'slack';

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SilencesService) private readonly silences: SilencesService,
  ) {}

  async onAlertTransition(manager: EntityManager, event: AlertTransitionEvent): Promise<void> {
    // Follow-ups go to the thread of the firing message, wherever the SLO's channel points now.
    const root =
      event.kind === 'fired'
        ? null
        : await manager.findOneBy(NotificationEntity, {
            alertId: event.alertId,
            kind: 'fired',
            state: Not('held'),
          });
    const silence = await this.silences.holding(manager, event);
    const channel = root?.channel ?? event.slo.notify?.slackChannel ?? this.config.slack.defaultChannel ?? '';
    await manager
      .createQueryBuilder()
      .insert()
      .into(NotificationEntity)
      .values({
        alertId: event.alertId,
        transitionId: event.transitionId,
        kind: event.kind,
        channel,
        state: silence ? 'held' : 'pending',
        silenceId: silence?.id ?? null,
        transition: toNotified(event),
        nextAttemptAt: this.clock.now(),
      })
      .orIgnore()
      .execute();
  }
}

export function toNotified(event: AlertTransitionEvent): NotifiedTransition {
  const { name, displayName, team, service, objective } = event.slo;
  return {
    kind: event.kind,
    severity: event.severity,
    previousSeverity: event.previousSeverity,
    at: event.at.toISOString(),
    alertStartedAt: event.alertStartedAt.toISOString(),
    slo: { name, displayName, team, service, objective },
    snapshot: event.snapshot,
  };
}
