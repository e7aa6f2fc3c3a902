import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In } from 'typeorm';
import { CLOCK, Clock } from '../../common/clock.js';
import { BurnwatchError } from '../../common/errors.js';
import { SloEntity } from '../../slo/slo.entity.js';
import type { AlertTransitionEvent, AlertTransitionListener } from '../alert-transition-hooks.js';
import { AlertEntity } from '../alert.entity.js';
import type { Severity } from '../domain/alert-policy.js';
import {
  Silence,
  SilenceState,
  SilencedAlert,
  activeSilence,
  alertLabels,
  holdingSilence,
  silenceState,
} from '../domain/silence.js';
import { parseSilenceInput } from '../domain/silence-input.js';
import { SilenceEntity } from './silence.entity.js';
import type { SilenceView } from './silence.view.js';
export type { SilenceView } from './silence.view.js';

export interface SilenceQuery {
  state?: SilenceState;
  limit: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** At most this many silences are in force at once: each transition is matched against all of them. */
const MAX_UNEXPIRED = 1000;

@Injectable()
export class SilencesService implements AlertTransitionListener {
  readonly name = 'silences';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async create(body: unknown): Promise<SilenceView> {
    const now = this.clock.now();
    const input = parseSilenceInput(body, now.getTime());
    if (Array.isArray(input)) throw BurnwatchError.invalid(input);
    let { matchers, alertId } = input;
    if (alertId !== null || input.untilResolved) {
      const alert = await this.alertToSilence(alertId, input.untilResolvedSlo, input.untilResolved);
      alertId = alert.id;
      if (matchers.length === 0)
        matchers = [{ name: 'slo', value: alert.sloName, isRegex: false, isEqual: true }];
    }
    const unexpired = await this.dataSource.manager
      .createQueryBuilder(SilenceEntity, 's')
      .where('s.endsAt IS NULL OR s.endsAt > :now', { now })
      .getCount();
    if (unexpired >= MAX_UNEXPIRED) {
      throw BurnwatchError.invalid([
        {
          field: '(body)',
          message: `${unexpired} silences are in force, the most there may be; expire some`,
        },
      ]);
    }
    const saved = await this.dataSource.manager.save(
      SilenceEntity,
      this.dataSource.manager.create(SilenceEntity, {
        matchers,
        startsAt: new Date(input.startsAtMs),
        endsAt: input.endsAtMs === null ? null : new Date(input.endsAtMs),
        untilResolved: input.untilResolved,
        alertId,
        createdBy: input.createdBy,
        comment: input.comment,
        endHandledAt: null,
      }),
    );
    return toSilenceView(saved, now);
  }

  async list(query: SilenceQuery): Promise<{ items: SilenceView[] }> {
    const now = this.clock.now();
    const builder = this.dataSource.manager.createQueryBuilder(SilenceEntity, 's');
    const active = new Brackets((q) =>
      q
        .where('s.startsAt <= :now')
        .andWhere(new Brackets((e) => e.where('s.endsAt IS NULL OR s.endsAt > :now'))),
    );
    if (query.state === 'active') builder.where(active);
    if (query.state === 'pending')
      builder.where('s.startsAt > :now AND (s.endsAt IS NULL OR s.endsAt > :now)');
    if (query.state === 'expired') builder.where('s.endsAt <= :now');
    // Active first (soonest to end first), then pending (soonest to start), then expired (most recent first).
    const rows = await builder
      .setParameter('now', now)
      .orderBy(`CASE WHEN s.ends_at <= :now THEN 2 WHEN s.starts_at > :now THEN 1 ELSE 0 END`, 'ASC')
      .addOrderBy(
        `CASE WHEN s.ends_at <= :now THEN NULL WHEN s.starts_at > :now THEN s.starts_at ELSE s.ends_at END`,
        'ASC',
        'NULLS LAST',
      )
      .addOrderBy('s.endsAt', 'DESC')
      .addOrderBy('s.id', 'ASC')
      .take(query.limit)
      .getMany();
    return { items: rows.map((row) => toSilenceView(row, now)) };
  }

  async get(id: string): Promise<SilenceView> {
    return toSilenceView(await this.find(id), this.clock.now());
  }

  /** Expires a silence now; the record stays. A pending one never starts. Expiring twice changes nothing. */
  async expire(id: string): Promise<SilenceView> {
    const now = this.clock.now();
    const silence = await this.find(id);
    if (silenceState(toSilence(silence), now.getTime()) !== 'expired') {
      await this.dataSource.manager.update(
        SilenceEntity,
        { id: silence.id },
        { endsAt: now, startsAt: silence.startsAt > now ? now : silence.startsAt },
      );
    }
    return this.get(silence.id);
  }

  /**
   * The silence that holds this transition's notification, if any: read in the transition's transaction, so a
   * silence made a moment later does not reach back into a transition already told.
   */
  async holding(manager: EntityManager, event: AlertTransitionEvent): Promise<SilenceEntity | null> {
    const alert: SilencedAlert = { id: event.alertId, labels: alertLabels(event.slo, event.severity) };
    return holdingOf(await this.inForceAt(manager, event.at), alert, event.at) ?? null;
  }

  /** The listener part: a silence until the alert resolves ends with that resolve. */
  async onAlertTransition(manager: EntityManager, event: AlertTransitionEvent): Promise<void> {
    if (event.kind !== 'resolved') return;
    await manager
      .createQueryBuilder()
      .update(SilenceEntity)
      .set({ endsAt: event.at, startsAt: () => `LEAST("starts_at", :at)` })
      .where('alert_id = :alertId AND until_resolved AND ends_at IS NULL', { alertId: event.alertId })
      .setParameter('at', event.at)
      .execute();
  }

  /** For each firing alert, the silence that holds its notifications now (what the alerts page shows). */
  async holdingNow(
    alerts: Pick<AlertEntity, 'id' | 'sloName' | 'severity' | 'state'>[],
    manager: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, SilenceView>> {
    const now = this.clock.now();
    const result = new Map<string, SilenceView>();
    const firing = alerts.filter((a) => a.state === 'firing');
    if (firing.length === 0) return result;
    const silences = await this.inForceAt(manager, now);
    if (silences.length === 0) return result;
    const labelled = await this.labelled(manager, firing);
    for (const alert of labelled) {
      const holding = activeOf(silences, alert, now);
      if (holding) result.set(alert.id, toSilenceView(holding, now));
    }
    return result;
  }

  /** Alerts with their current labels, from their SLO as it is stored now (a deleted SLO: name and severity). */
  async labelled(
    manager: EntityManager,
    alerts: Pick<AlertEntity, 'id' | 'sloName' | 'severity'>[],
  ): Promise<SilencedAlert[]> {
    const names = [...new Set(alerts.map((a) => a.sloName))];
    const slos = names.length === 0 ? [] : await manager.findBy(SloEntity, { name: In(names) });
    const specs = new Map(slos.map((s) => [s.name, s.spec]));
    return alerts.map((a) => ({
      id: a.id,
      labels: alertLabels(specs.get(a.sloName) ?? { name: a.sloName }, a.severity as Severity),
    }));
  }

  /** Silences in force at `at`, and those that ended exactly then (the until-resolved edge). */
  inForceAt(manager: EntityManager, at: Date): Promise<SilenceEntity[]> {
    return manager
      .createQueryBuilder(SilenceEntity, 's')
      .where('s.startsAt <= :at', { at })
      .andWhere(new Brackets((q) => q.where('s.endsAt IS NULL OR s.endsAt >= :at', { at })))
      .getMany();
  }

  private async alertToSilence(
    alertId: string | null,
    slo: string | null,
    untilResolved: boolean,
  ): Promise<AlertEntity> {
    const manager = this.dataSource.manager;
    if (alertId === null) {
      const firing = await manager.findOneBy(AlertEntity, { sloName: slo!, state: 'firing' });
      if (!firing) {
        throw BurnwatchError.invalid([
          {
            field: 'untilResolved',
            message: `SLO "${slo}" has no firing alert to wait for; give endsAt instead`,
          },
        ]);
      }
      return firing;
    }
    const alert = await manager.findOneBy(AlertEntity, { id: alertId });
    if (!alert)
      throw BurnwatchError.invalid([{ field: 'alertId', message: `no alert has the id "${alertId}"` }]);
    if (untilResolved && alert.state !== 'firing') {
      throw BurnwatchError.invalid([
        { field: 'untilResolved', message: `alert "${alertId}" has already resolved; give endsAt instead` },
      ]);
    }
    return alert;
  }

  private async find(id: string): Promise<SilenceEntity> {
    const silence = UUID.test(id) ? await this.dataSource.manager.findOneBy(SilenceEntity, { id }) : null;
    if (!silence) throw BurnwatchError.notFound('id', `no silence has the id "${id}"`);
    return silence;
  }
}

function holdingOf(rows: SilenceEntity[], alert: SilencedAlert, at: Date): SilenceEntity | undefined {
  const silences = rows.map((row) => ({ ...toSilence(row), row }));
  return holdingSilence(silences, alert, at.getTime())?.row;
}

/** The silence that holds this alert's notifications now, of `rows` (SilencesService.inForceAt). */
export function activeOf(rows: SilenceEntity[], alert: SilencedAlert, at: Date): SilenceEntity | undefined {
  const silences = rows.map((row) => ({ ...toSilence(row), row }));
  return activeSilence(silences, alert, at.getTime())?.row;
}

export function toSilence(row: SilenceEntity): Silence {
  return {
    id: row.id,
    matchers: row.matchers,
    startsAtMs: row.startsAt.getTime(),
    endsAtMs: row.endsAt?.getTime() ?? null,
    untilResolved: row.untilResolved,
    alertId: row.alertId,
  };
}

export function toSilenceView(row: SilenceEntity, now: Date): SilenceView {
  return {
    id: row.id,
    matchers: row.matchers,
    startsAt: row.startsAt.toISOString(),
    endsAt: row.endsAt?.toISOString() ?? null,
    untilResolved: row.untilResolved,
    alertId: row.alertId,
    createdBy: row.createdBy,
    comment: row.comment,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    status: { state: silenceState(toSilence(row), now.getTime()) },
  };
}
