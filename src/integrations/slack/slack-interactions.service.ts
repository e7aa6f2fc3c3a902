import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AlertEntity } from '../../alerts/alert.entity.js';
import { AlertAnnotationsService } from '../../alerts/annotations/alert-annotations.service.js';
import { SilencesService } from '../../alerts/silences/silences.service.js';
import { CLOCK, Clock } from '../../common/clock.js';
import { BurnwatchError } from '../../common/errors.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { CorrectionsService } from '../../slo/corrections/corrections.service.js';
import { SILENCE_SECONDS } from './domain/alert-actions.js';
import {
  Interaction,
  SignedRequest,
  SlackUser,
  createdByOf,
  notRealBurnModal,
  parseInteraction,
  reasonError,
  signatureProblem,
} from './domain/slack-interaction.js';
import { NotificationDispatcher } from './notification-dispatcher.js';
import { SLACK_API_PORT, SlackApi } from './slack-api.js';

const SILENCE_WORDS = {
  silence1h: 'for 1 h',
  silence4h: 'for 4 h',
  silenceUntilResolved: 'until it resolves',
};
/** A correction needs end > start: an alert that fired this very minute is corrected for its first minute. */
const MIN_CORRECTION_MS = 60_000;

/**
 * Slack's interactions with an alert's message: the signature is checked before anything is read, then the
 * button or the modal's answer is carried out with the Slack user as the author, and the message is edited to
 * show it. The same signed request twice is carried out once (its signature is kept with what it made).
 */
@Injectable()
export class SlackInteractionsService {
  private readonly logger = new Logger('SlackInteractions');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SLACK_API_PORT) private readonly api: SlackApi | null,
    @Inject(AlertAnnotationsService) private readonly annotations: AlertAnnotationsService,
    @Inject(SilencesService) private readonly silences: SilencesService,
    @Inject(CorrectionsService) private readonly corrections: CorrectionsService,
    @Inject(NotificationDispatcher) private readonly dispatcher: NotificationDispatcher,
  ) {}

  /** What to answer Slack: nothing (200), or a view_submission's errors that keep the modal open. */
  async handle(request: Omit<SignedRequest, 'rawBody'> & { rawBody: Buffer | undefined }): Promise<unknown> {
    const secret = this.config.slack.signingSecret;
    if (secret === undefined) {
      throw new BurnwatchError('unavailable', [
        {
          field: 'SLACK_SIGNING_SECRET',
          message:
            "Slack interactivity is off: set SLACK_SIGNING_SECRET to the Slack app's signing secret " +
            '(deploy/slack-app-manifest.yaml describes the app)',
        },
      ]);
    }
    if (request.rawBody === undefined) {
      throw new BurnwatchError('unauthorized', [
        {
          field: 'X-Slack-Signature',
          message: 'the body cannot be checked: Slack sends application/x-www-form-urlencoded',
        },
      ]);
    }
    const problem = signatureProblem(
      secret,
      { ...request, rawBody: request.rawBody },
      this.clock.now().getTime(),
    );
    if (problem) throw new BurnwatchError('unauthorized', [{ field: 'X-Slack-Signature', message: problem }]);
    const interaction = parseInteraction(request.rawBody.toString('utf8'));
    if (typeof interaction === 'string')
      throw BurnwatchError.invalid([{ field: 'payload', message: interaction }]);
    return this.carryOut(interaction, request.signature!);
  }

  private async carryOut(interaction: Interaction, signature: string): Promise<unknown> {
    if (interaction.type === 'ignored') {
      this.logger.debug(`Slack interaction ignored: ${interaction.why}`);
      return undefined;
    }
    const alert = await this.dataSource.manager.findOneBy(AlertEntity, { id: interaction.alertId });
    if (!alert) {
      if (interaction.type === 'notRealBurn') return reasonError('This alert is no longer in Burnwatch.');
      throw BurnwatchError.notFound('alertId', `no alert has the id "${interaction.alertId}"`);
    }
    if (interaction.type === 'notRealBurn') return this.notRealBurn(alert, interaction, signature);
    const { action, user } = interaction;
    if (action === 'notRealBurn') {
      if (!this.api) {
        throw new BurnwatchError('unavailable', [
          { field: 'SLACK_BOT_TOKEN', message: 'a modal needs the bot token (Burnwatch is in dry-run)' },
        ]);
      }
      await this.api.openView(
        interaction.triggerId,
        notRealBurnModal({
          alertId: alert.id,
          sloName: alert.sloName,
          startIso: alert.startedAt.toISOString(),
          endIso: alert.resolvedAt?.toISOString() ?? null,
        }),
      );
      return undefined;
    }
    const annotation = await this.annotations.record({
      alertId: alert.id,
      kind: action === 'acknowledge' ? 'acknowledged' : 'silenced',
      ...author(user),
      slackRequest: signature,
      at: this.clock.now(),
    });
    if (!annotation) return undefined; // the same request again: done already
    if (action !== 'acknowledge') {
      const seconds = SILENCE_SECONDS[action];
      try {
        const silence = await this.silences.create({
          alertId: alert.id,
          ...(seconds === null
            ? { untilResolved: true }
            : { endsAt: new Date(this.clock.now().getTime() + seconds * 1000).toISOString() }),
          createdBy: createdByOf(user),
          comment: `Silenced from Slack ${SILENCE_WORDS[action]}`,
        });
        await this.annotations.complete(annotation.id, {
          silence: { id: silence.id, endsAt: silence.endsAt },
        });
      } catch (error) {
        await this.annotations.discard(annotation.id);
        throw error;
      }
    }
    await this.showOnMessage(alert.id);
    return undefined;
  }

  private async notRealBurn(
    alert: AlertEntity,
    interaction: Extract<Interaction, { type: 'notRealBurn' }>,
    signature: string,
  ): Promise<unknown> {
    if (interaction.reason === '') return reasonError('Say why, so that the next person on call can tell.');
    const annotation = await this.annotations.record({
      alertId: alert.id,
      kind: 'notARealBurn',
      ...author(interaction.user),
      comment: interaction.reason,
      slackRequest: signature,
      at: this.clock.now(),
    });
    if (!annotation) return undefined;
    const startMs = alert.startedAt.getTime();
    const endMs = Math.max((alert.resolvedAt ?? this.clock.now()).getTime(), startMs + MIN_CORRECTION_MS);
    try {
      const correction = await this.corrections.create(alert.sloName, {
        start: new Date(startMs).toISOString(),
        end: new Date(endMs).toISOString(),
        reason: `Not a real burn (alert ${alert.id}): ${interaction.reason}`,
        createdBy: createdByOf(interaction.user),
      });
      await this.annotations.complete(annotation.id, {
        correction: { id: correction.id, start: correction.start, end: correction.end! },
      });
    } catch (error) {
      await this.annotations.discard(annotation.id);
      if (error instanceof BurnwatchError) return reasonError(error.errors.map((e) => e.message).join('; '));
      throw error;
    }
    await this.showOnMessage(alert.id);
    return undefined;
  }

  /** The action is done whatever Slack says now: a message that cannot be edited is logged, not an error. */
  private async showOnMessage(alertId: string): Promise<void> {
    try {
      await this.dispatcher.updateRoot(alertId);
    } catch (error) {
      this.logger.warn(`Could not update alert ${alertId}'s Slack message: ${(error as Error).message}`);
    }
  }
}

function author(user: SlackUser): { createdBy: string; slackUserId: string } {
  return { createdBy: createdByOf(user), slackUserId: user.id };
}
