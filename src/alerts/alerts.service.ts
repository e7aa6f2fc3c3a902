import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { BurnwatchError } from '../common/errors.js';
import { ALERT_DELIVERIES, AlertDeliveries, DeliveryView } from './deliveries.port.js';
import { AlertAnnotationsService } from './annotations/alert-annotations.service.js';
import { AlertTransitionEntity } from './alert-transition.entity.js';
import type { AlertAnnotation } from './domain/alert-annotation.js';
import { AlertEntity } from './alert.entity.js';
import type { AlertState } from './domain/alert-transition.js';
import { SilenceView, SilencesService } from './silences/silences.service.js';
import type { AlertDetailView, AlertView } from './alert.view.js';
export type { AlertDetailView, AlertView } from './alert.view.js';

export interface AlertQuery {
  state?: AlertState;
  slo?: string;
  limit: number;
}

@Injectable()
export class AlertsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SilencesService) private readonly silences: SilencesService,
    @Inject(AlertAnnotationsService) private readonly annotations: AlertAnnotationsService,
    @Optional() @Inject(ALERT_DELIVERIES) private readonly deliveries: AlertDeliveries | null = null,
  ) {}

  async list(query: AlertQuery, now: Date): Promise<{ items: AlertView[] }> {
    const builder = this.dataSource.manager
      .createQueryBuilder(AlertEntity, 'alert')
      .orderBy('alert.startedAt', 'DESC')
      .take(query.limit);
    if (query.state) builder.andWhere('alert.state = :state', { state: query.state });
    if (query.slo) builder.andWhere('alert.sloName = :slo', { slo: query.slo });
    const alerts = await builder.getMany();
    const notifications = await this.deliveriesOf(alerts.map((a) => a.id));
    const silences = await this.silences.holdingNow(alerts);
    const annotations = await this.annotations.ofAlerts(alerts.map((a) => a.id));
    return {
      items: alerts.map((a) =>
        toAlertView(a, now, notifications.get(a.id), silences.get(a.id), annotations.get(a.id)),
      ),
    };
  }

  private async deliveriesOf(alertIds: string[]): Promise<Map<string, DeliveryView[]>> {
    if (!this.deliveries) return new Map(alertIds.map((id) => [id, []]));
    return this.deliveries.ofAlerts(this.dataSource.manager, alertIds);
  }

  async get(id: string, now: Date): Promise<AlertDetailView> {
    const alert = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.dataSource.manager.findOneBy(AlertEntity, { id })
      : null;
    if (!alert) throw BurnwatchError.notFound('id', `no alert has the id "${id}"`);
    const transitions = await this.dataSource.manager.find(AlertTransitionEntity, {
      where: { alertId: id },
      order: { at: 'ASC' },
    });
    const notifications = await this.deliveriesOf([id]);
    const silences = await this.silences.holdingNow([alert]);
    const annotations = await this.annotations.ofAlerts([id]);
    return {
      ...toAlertView(alert, now, notifications.get(id), silences.get(id), annotations.get(id)),
      transitions: transitions.map((t) => ({
        id: t.id,
        kind: t.kind,
        severity: t.severity,
        at: t.at.toISOString(),
        snapshot: t.snapshot,
      })),
    };
  }
}

export function toAlertView(
  alert: AlertEntity,
  now: Date,
  notifications: DeliveryView[] = [],
  silence: SilenceView | null = null,
  annotations: AlertAnnotation[] = [],
): AlertView {
  const end = alert.resolvedAt ?? now;
  return {
    id: alert.id,
    slo: alert.sloName,
    severity: alert.severity,
    state: alert.state,
    startedAt: alert.startedAt.toISOString(),
    resolvedAt: alert.resolvedAt?.toISOString() ?? null,
    durationSeconds: Math.max(0, Math.round((end.getTime() - alert.startedAt.getTime()) / 1000)),
    snapshot: alert.lastSnapshot,
    correlation: alert.correlation,
    notifications,
    silence,
    annotations,
  };
}
