import type { AlertSnapshot } from '../../alerts/domain/alert-transition.js';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, Not } from 'typeorm';
import { CLOCK, Clock } from '../../common/clock.js';
import { CONFIG } from '../../config/config.module.js';
import type { Config } from '../../config/config.js';
import { Correlation, readCorrelation } from './domain/correlation.js';
import { retryDelayMs } from './domain/delivery-policy.js';
import { AlertAnnotationsService } from '../../alerts/annotations/alert-annotations.service.js';
import { RootInteraction, SlackMessage, rootMessage, threadReply } from './domain/slack-message.js';
import { NotificationEntity } from './notification.entity.js';
import { NotificationMetrics } from './notification-metrics.js';
import { SilenceRelease } from './silence-release.js';
import { Posted, SLACK_API_PORT, SlackApi, SlackCallError } from './slack-api.js';

const BATCH = 20;
/** How far before a recorded intent to look for the message it may have posted (clock skew between hosts). */
const LOOKBACK_MS = 5 * 60_000;

/**
 * A dispatcher's claim on a row was taken over (it ran out and another replica claimed the row): this dispatcher
 * stops working on it, and in particular does not post it.
 */
class ClaimLost extends Error {
  constructor(id: string) {
    super(`notification ${id} is now claimed by another dispatcher`);
    this.name = 'ClaimLost';
  }
}

/**
 * What a firing alert's root message shows beyond its transition: the correlation and whether the SLO's data is
 * current. When this hash changes, the message is edited.
 */
const SHOWN_HASH = `md5(coalesce(a."correlation"::text, '') || '|' || coalesce(a."last_snapshot"->'dataState'->>'state', 'fresh'))`;

/**
 * Sends the outbox: claims due rows one at a time just before delivering each (several replicas share the work,
 * each row is claimed by one), delivers each exactly once as the user sees it, retries transient failures with
 * backoff, and stops on permanent ones. Claims run by the database's clock, and every write made while delivering
 * is fenced by the claim, so a dispatcher slower than its claim never posts a row another replica now owns.
 */
@Injectable()
export class NotificationDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('SlackDispatcher');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = false;
  /** Slack's rate limits apply to the whole workspace: after a 429, this dispatcher sends nothing until then. */
  private pausedUntilMs = 0;
  /** A claim covers one Slack call and the bookkeeping around it; a crashed dispatcher's claim expires by itself. */
  private readonly leaseMs: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CONFIG) private readonly config: Config,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SLACK_API_PORT) private readonly api: SlackApi | null,
    @Inject(NotificationMetrics) private readonly metrics: NotificationMetrics,
    @Inject(SilenceRelease) private readonly silenceRelease: SilenceRelease,
    @Inject(AlertAnnotationsService) private readonly annotations: AlertAnnotationsService,
  ) {
    this.leaseMs = 2 * config.slack.requestTimeoutMs + 2000;
  }

  onApplicationBootstrap(): void {
    if (!this.api)
      this.logger.warn(
        'SLACK_BOT_TOKEN is not set: dry-run, Slack messages are logged and kept (GET /api/v1/notifications)',
      );
    this.schedule(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      // Silences that ended first: what they enqueue goes out in this same tick.
      this.running = this.silenceRelease
        .releaseEnded(this.clock.now())
        .then(() => this.dispatchDue())
        .then(async (claimed) => {
          if (claimed === 0 && this.clock.now().getTime() >= this.pausedUntilMs)
            await this.refreshCorrelations();
          return claimed;
        })
        .catch((error: unknown) => {
          // Typically the database is unreachable: the rows wait, the next tick tries again.
          this.logger.warn(`Notification dispatch failed, will retry: ${(error as Error).message}`);
          return 0;
        })
        .then((claimed) => this.schedule(claimed === BATCH ? 0 : this.config.slack.dispatchIntervalMs));
    }, delayMs);
  }

  /** Delivers one batch of due notifications, each claimed as its turn comes; returns how many were claimed. */
  async dispatchDue(): Promise<number> {
    if (this.clock.now().getTime() < this.pausedUntilMs) return 0;
    let claimed = 0;
    for (const id of await this.due(this.clock.now())) {
      if (this.clock.now().getTime() < this.pausedUntilMs) break;
      // Claimed now, not with the batch: a row waiting behind slow calls is another replica's to take meanwhile.
      const row = await this.claim(id, this.clock.now());
      if (!row) continue;
      claimed++;
      await this.deliver(row)
        .catch((error: unknown) => {
          if (error instanceof SlackCallError) return this.recordFailure(row, error);
          throw error;
        })
        .catch((error: unknown) => {
          if (error instanceof ClaimLost) return this.logger.warn(error.message);
          // Anything else (the database went away mid-way) leaves the claim to expire: the row is tried again,
          // and an intent recorded before a post makes that attempt look before posting twice.
          return this.interrupted(row, error as Error);
        });
    }
    return claimed;
  }

  /**
   * Due rows: pending, due, not claimed by a live dispatcher, and not behind an earlier undelivered notification
   * of the same alert (so a resolve never overtakes its firing).
   */
  private async due(now: Date): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT n."id" FROM "notifications" n
       WHERE n."state" = 'pending' AND n."next_attempt_at" <= $1
         AND (n."lease_until" IS NULL OR n."lease_until" < now())
         AND NOT EXISTS (
           SELECT 1 FROM "notifications" e
           WHERE e."alert_id" = n."alert_id" AND e."seq" < n."seq" AND e."state" = 'pending')
       ORDER BY n."seq"
       LIMIT ${BATCH}`,
      [now],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /**
   * Claims one row if it is still due and unclaimed: one statement, so of two replicas claiming it at once the
   * second finds the first's claim (it re-reads the row once the first commits) and gets nothing.
   */
  private async claim(id: string, now: Date): Promise<NotificationEntity | null> {
    const claim = randomUUID();
    const [rows] = (await this.dataSource.query(
      `UPDATE "notifications" n
       SET "lease_until" = now() + $4 * interval '1 millisecond', "claim" = $2, "attempts" = n."attempts" + 1
       WHERE n."id" = $1 AND n."state" = 'pending' AND n."next_attempt_at" <= $3
         AND (n."lease_until" IS NULL OR n."lease_until" < now())
         AND NOT EXISTS (
           SELECT 1 FROM "notifications" e
           WHERE e."alert_id" = n."alert_id" AND e."seq" < n."seq" AND e."state" = 'pending')
       RETURNING n."id"`,
      [id, claim, now, this.leaseMs],
    )) as [{ id: string }[], number];
    if (rows.length === 0) return null;
    return this.dataSource.manager.findOneBy(NotificationEntity, { id, claim });
  }

  private async deliver(row: NotificationEntity): Promise<void> {
    const t = row.transition!;
    const sloUrl = `${this.config.publicUrl}/slos/${encodeURIComponent(t.slo.name)}`;
    const { correlation, correlationHash } = row.alertId
      ? await this.correlationOf(row.alertId)
      : { correlation: null, correlationHash: null };
    const interaction = row.alertId ? await this.interactionOf(row.alertId) : undefined;
    const message =
      row.kind === 'fired' ? rootMessage(t, correlation, sloUrl, interaction) : threadReply(t, sloUrl);

    if (!this.api) {
      this.logger.log({
        msg: 'Dry-run (no SLACK_BOT_TOKEN): this Slack message was not sent',
        channel: row.channel || '(none)',
        kind: row.kind,
        text: message.text,
      });
      await this.save(row, {
        state: 'dry-run',
        message,
        sentAt: this.clock.now(),
        leaseUntil: null,
        error: null,
      });
      this.metrics.delivered(row.kind, 'dry-run');
      return;
    }
    if (!row.channel) {
      await this.fail(
        row,
        'no_channel: set notify.slackChannel on the SLO or SLACK_DEFAULT_CHANNEL',
        message,
      );
      return;
    }

    if (row.kind === 'fired') {
      const posted = await this.postOnce(row, row.channel, message);
      await this.succeed(row, { channelId: posted.channelId, ts: posted.ts, message, correlationHash });
      return;
    }

    // Escalation or resolve: a reply in the firing's thread, then the root message brought to the current state.
    // A held firing is not the thread: the firing told when its silence ended is.
    const root = await this.dataSource.manager.findOneBy(NotificationEntity, {
      alertId: row.alertId!,
      kind: 'fired',
      state: Not('held'),
    });
    const thread =
      root?.state === 'sent' && root.ts && root.channelId ? { ts: root.ts, channelId: root.channelId } : null;
    if (!row.ts) {
      const posted = await this.postOnce(row, thread?.channelId ?? row.channel, message, thread?.ts);
      await this.save(row, {
        channelId: posted.channelId,
        ts: posted.ts,
        threadTs: thread?.ts ?? null,
        message,
      });
    }
    let note: string | null = null;
    if (thread && !row.rootUpdatedAt) {
      await this.save(row, {}, { renewClaim: true });
      try {
        await this.api.update(thread.channelId, thread.ts, rootMessage(t, correlation, sloUrl, interaction));
        await this.save(row, { rootUpdatedAt: this.clock.now() });
        await this.dataSource.manager.update(NotificationEntity, { id: root!.id }, { correlationHash });
      } catch (error) {
        if (!(error instanceof SlackCallError) || !error.permanent) throw error;
        // The reply is out; a root message that cannot be edited (deleted, too old) is worth a note, not a failure.
        note = `root message not updated: ${error.message}`;
      }
    }
    await this.succeed(row, { error: note });
  }

  /**
   * Posts at most once as Slack's users see it: the intent is committed before the call, and when a previous
   * attempt left one behind (a crash or timeout after the request went out), Slack is searched for the message
   * first, by the notification id carried in its metadata.
   */
  private async postOnce(
    row: NotificationEntity,
    channel: string,
    message: SlackMessage,
    threadTs?: string,
  ): Promise<Posted> {
    const api = this.api!;
    if (row.intentAt) {
      try {
        const since = new Date(row.intentAt.getTime() - LOOKBACK_MS);
        const found = await api.findPosted(channel, row.id, since, threadTs);
        if (found) {
          this.logger.log(
            `Notification ${row.id} was already posted before an interruption (ts ${found.ts})`,
          );
          return found;
        }
      } catch (error) {
        if (!(error instanceof SlackCallError) || !error.permanent) throw error;
        // Without history access (scopes) a lost post cannot be told from a delivered one: prefer a duplicate.
        this.logger.warn(`Cannot look for an earlier post of ${row.id} (${error.message}); posting again`);
      }
    }
    // Only while the claim is still this dispatcher's (fenced), renewed to cover the call: from here on, a
    // dispatcher that takes the row over finds the intent and looks in Slack before posting.
    await this.save(row, { intentAt: this.clock.now() }, { renewClaim: true });
    try {
      return await api.post({ channel, message, threadTs, notificationId: row.id });
    } catch (error) {
      // Certainly not posted (Slack refused it or rate-limited it): nothing to look for next time.
      if (error instanceof SlackCallError && !error.maybeDelivered) await this.save(row, { intentAt: null });
      throw error;
    }
  }

  private async interrupted(row: NotificationEntity, error: Error): Promise<void> {
    this.logger.warn(`Notification ${row.id} interrupted: ${error.message}`);
    // Not forever, though: an error that keeps coming back ends like any other after the give-up time.
    if (this.clock.now().getTime() - row.createdAt.getTime() > this.config.slack.giveUpAfterMs) {
      await this.fail(row, `gave up after ${row.attempts} attempts; last error: ${error.message}`).catch(
        () => undefined,
      );
    }
  }

  private async recordFailure(row: NotificationEntity, error: SlackCallError): Promise<void> {
    const now = this.clock.now();
    if (error.permanent) return this.fail(row, error.message);
    if (now.getTime() - row.createdAt.getTime() > this.config.slack.giveUpAfterMs) {
      return this.fail(row, `gave up after ${row.attempts} attempts; last error: ${error.message}`);
    }
    const delay = retryDelayMs(row.attempts, this.config.slack, error.retryAfterMs);
    if (error.retryAfterMs) this.pausedUntilMs = now.getTime() + error.retryAfterMs;
    this.metrics.retries.inc({ error: error.slackError.split(' ')[0] });
    this.logger.warn(
      `Slack notification ${row.id} (${row.kind}) failed (${error.message}); attempt ${row.attempts + 1} in ${delay} ms`,
    );
    await this.save(row, {
      error: error.message,
      nextAttemptAt: new Date(now.getTime() + delay),
      leaseUntil: null,
    });
  }

  private async fail(row: NotificationEntity, error: string, message?: SlackMessage): Promise<void> {
    this.logger.error(
      `Slack notification ${row.id} (${row.kind} to ${row.channel || '(none)'}) failed: ${error}`,
    );
    await this.save(row, { state: 'failed', error, leaseUntil: null, ...(message ? { message } : {}) });
    this.metrics.failed.inc({
      kind: row.kind,
      error: error.startsWith('gave up') ? 'gave_up' : error.split(/[: ]/)[0]!,
    });
  }

  private async succeed(row: NotificationEntity, patch: Partial<NotificationEntity>): Promise<void> {
    const now = this.clock.now();
    await this.save(row, {
      error: null,
      ...patch,
      state: 'sent',
      sentAt: now,
      intentAt: null,
      leaseUntil: null,
    });
    this.metrics.delivered(row.kind, 'slack', row.transition ? new Date(row.transition.at) : undefined, now);
  }

  /**
   * Writes to a claimed row, only while the claim is this dispatcher's (ClaimLost otherwise). `renewClaim`
   * extends the claim to a full lease from the database's now. Giving the lease up (leaseUntil: null) ends the
   * claim too.
   */
  private async save(
    row: NotificationEntity,
    patch: Partial<NotificationEntity>,
    { renewClaim = false }: { renewClaim?: boolean } = {},
  ): Promise<void> {
    const ending = 'leaseUntil' in patch && patch.leaseUntil === null;
    const set: Record<string, unknown> = { ...patch, ...(ending ? { claim: null } : {}) };
    if (renewClaim) set.leaseUntil = () => `now() + ${Number(this.leaseMs)} * interval '1 millisecond'`;
    const result = await this.dataSource
      .createQueryBuilder()
      .update(NotificationEntity)
      .set(set as never)
      .where('id = :id AND claim = :claim', { id: row.id, claim: row.claim })
      .execute();
    if (result.affected === 0) throw new ClaimLost(row.id);
    Object.assign(row, patch, ending ? { claim: null } : {});
  }

  /** What the root message shows of Slack's buttons: the buttons (when interactions are on) and the annotations. */
  private async interactionOf(alertId: string): Promise<RootInteraction> {
    const annotations = (await this.annotations.ofAlerts([alertId])).get(alertId) ?? [];
    return { alertId, annotations, buttons: this.config.slack.signingSecret !== undefined };
  }

  /**
   * Brings an alert's root message to what it should show now (after a button was used): its latest told
   * transition, correlation, data state and annotations. false when there is no message to edit (dry-run, not
   * posted yet, or held by a silence from the start).
   */
  async updateRoot(alertId: string): Promise<boolean> {
    if (!this.api) return false;
    const root = await this.dataSource.manager.findOneBy(NotificationEntity, {
      alertId,
      kind: 'fired',
      state: 'sent',
    });
    if (!root?.ts || !root.channelId) return false;
    const latest = await this.dataSource.manager.findOne(NotificationEntity, {
      where: { alertId, state: Not('held') },
      order: { seq: 'DESC' },
    });
    const t = latest?.transition;
    if (!t) return false;
    const [alert] = (await this.dataSource.query(
      `SELECT a."correlation", a."last_snapshot"->'dataState' AS "dataState" FROM "alerts" a WHERE a."id" = $1`,
      [alertId],
    )) as { correlation: unknown; dataState: AlertSnapshot['dataState'] | null }[];
    const sloUrl = `${this.config.publicUrl}/slos/${encodeURIComponent(t.slo.name)}`;
    const shown =
      t.kind === 'resolved'
        ? t
        : { ...t, snapshot: { ...t.snapshot, dataState: alert?.dataState ?? undefined } };
    await this.api.update(
      root.channelId,
      root.ts,
      rootMessage(shown, readCorrelation(alert?.correlation), sloUrl, await this.interactionOf(alertId)),
    );
    return true;
  }

  /** The alert's correlation and its hash, read together so that the hash names what the message shows. */
  private async correlationOf(
    alertId: string,
  ): Promise<{ correlation: Correlation | null; correlationHash: string | null }> {
    const [row] = (await this.dataSource.query(
      `SELECT a."correlation", ${SHOWN_HASH} AS "hash" FROM "alerts" a WHERE a."id" = $1`,
      [alertId],
    )) as { correlation: unknown; hash: string | null }[];
    return { correlation: readCorrelation(row?.correlation), correlationHash: row?.hash ?? null };
  }

  /**
   * The Kubernetes correlation may land after the firing message went out, and the SLO's data may stop (stale)
   * or come back while the alert fires: the root message of a firing alert is then edited to show it. Claimed by setting the hash first (one replica wins); put back to retry on failure.
   */
  async refreshCorrelations(): Promise<number> {
    if (!this.api) return 0;
    const [claimed] = (await this.dataSource.query(
      `UPDATE "notifications" n SET "correlation_hash" = ${SHOWN_HASH}
       FROM "alerts" a
       WHERE a."id" = n."alert_id" AND n."kind" = 'fired' AND n."state" = 'sent' AND a."state" = 'firing'
         AND n."ts" IS NOT NULL AND n."channel_id" IS NOT NULL
         AND n."correlation_hash" IS DISTINCT FROM ${SHOWN_HASH}
         AND NOT (n."correlation_hash" IS NULL AND a."correlation" IS NULL
           AND coalesce(a."last_snapshot"->'dataState'->>'state', 'fresh') = 'fresh')
         AND NOT EXISTS (
           SELECT 1 FROM "notifications" p WHERE p."alert_id" = n."alert_id" AND p."state" = 'pending')
       RETURNING n."id", n."alert_id" AS "alertId", n."channel_id" AS "channelId", n."ts",
         a."correlation", a."last_snapshot"->'dataState' AS "dataState"`,
    )) as [
      {
        id: string;
        alertId: string;
        channelId: string;
        ts: string;
        correlation: unknown;
        dataState: AlertSnapshot['dataState'] | null;
      }[],
      number,
    ];
    for (const root of claimed) {
      // The root shows the alert's latest transition (an escalation may have followed the firing).
      // (Not a held one: a silenced alert's message keeps the state last told until the silence ends.)
      const latest = await this.dataSource.manager.findOne(NotificationEntity, {
        where: { alertId: root.alertId, state: Not('held') },
        order: { seq: 'DESC' },
      });
      const t = latest?.transition;
      if (!t) continue;
      const sloUrl = `${this.config.publicUrl}/slos/${encodeURIComponent(t.slo.name)}`;
      try {
        await this.api.update(
          root.channelId,
          root.ts,
          rootMessage(
            { ...t, snapshot: { ...t.snapshot, dataState: root.dataState ?? undefined } },
            readCorrelation(root.correlation),
            sloUrl,
            await this.interactionOf(root.alertId),
          ),
        );
      } catch (error) {
        const permanent = error instanceof SlackCallError && error.permanent;
        this.logger.warn(
          `Could not show the new correlation on alert ${root.alertId}'s message: ${(error as Error).message}`,
        );
        if (!permanent)
          await this.dataSource.manager.update(
            NotificationEntity,
            { id: root.id },
            { correlationHash: null },
          );
      }
    }
    return claimed.length;
  }
}
