import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, Not } from 'typeorm';
import { AlertEntity } from '../../alerts/alert.entity.js';
import { SilencesService, activeOf } from '../../alerts/silences/silences.service.js';
import type { NotifiedTransition } from './domain/slack-message.js';
import { NotificationEntity } from './notification.entity.js';

const BATCH = 100;

/**
 * When a silence ends (its time ran out, it was expired, or its alert resolved), every alert that still fires and
 * whose last notification is held gets one notification of its current state: a firing message when Slack never
 * heard of the alert, or an escalation in its thread. The transitions in between are not replayed.
 *
 * Runs in the dispatcher's loop. The ended silences are claimed (end_handled_at) in the transaction that enqueues
 * the notifications, and each alert is locked while it is looked at, so that with several replicas an alert is
 * told once, and a crash tells it on the next tick.
 */
@Injectable()
export class SilenceRelease {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SilencesService) private readonly silences: SilencesService,
  ) {}

  /** Returns how many notifications were enqueued. */
  async releaseEnded(now: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const [ended] = (await manager.query(
        `UPDATE "silences" SET "end_handled_at" = $1
         WHERE "id" IN (
           SELECT "id" FROM "silences" WHERE "end_handled_at" IS NULL AND "ends_at" <= $1
           ORDER BY "ends_at" LIMIT ${BATCH} FOR UPDATE SKIP LOCKED)
         RETURNING "id"`,
        [now],
      )) as [{ id: string }[], number];
      if (ended.length === 0) return 0;
      // Held alerts: still firing, last notification held. Locked in id order (the engine locks one at a time).
      const held = (await manager.query(
        `SELECT a."id" FROM "alerts" a
         WHERE a."state" = 'firing' AND (
           SELECT n."state" FROM "notifications" n WHERE n."alert_id" = a."id" ORDER BY n."seq" DESC LIMIT 1
         ) = 'held'
         ORDER BY a."id" FOR UPDATE OF a`,
      )) as { id: string }[];
      if (held.length === 0) return 0;
      const inForce = await this.silences.inForceAt(manager, now);
      let enqueued = 0;
      for (const { id } of held) if (await this.release(manager, id, inForce, now)) enqueued++;
      return enqueued;
    });
  }

  private async release(
    manager: EntityManager,
    alertId: string,
    inForce: Awaited<ReturnType<SilencesService['inForceAt']>>,
    now: Date,
  ): Promise<boolean> {
    const alert = await manager.findOneBy(AlertEntity, { id: alertId });
    const latest = await manager.findOne(NotificationEntity, { where: { alertId }, order: { seq: 'DESC' } });
    // Looked at again under the lock: a transition may have been told in the meantime.
    if (alert?.state !== 'firing' || latest?.state !== 'held' || !latest.transition) return false;
    const [labelled] = await this.silences.labelled(manager, [alert]);
    // Another silence still holds it: that one's end will tell.
    if (activeOf(inForce, labelled!, now)) return false;
    const root = await manager.findOneBy(NotificationEntity, { alertId, kind: 'fired', state: Not('held') });
    const transition: NotifiedTransition = {
      kind: root ? 'escalated' : 'fired',
      severity: alert.severity,
      previousSeverity: root ? (root.transition?.severity ?? 'ticket') : null,
      at: now.toISOString(),
      alertStartedAt: alert.startedAt.toISOString(),
      slo: latest.transition.slo,
      snapshot: alert.lastSnapshot,
    };
    await manager.insert(NotificationEntity, {
      alertId,
      transitionId: null,
      kind: transition.kind,
      channel: root?.channel ?? latest.channel,
      state: 'pending',
      silenceId: latest.silenceId,
      transition,
      nextAttemptAt: now,
    });
    return true;
  }
}
