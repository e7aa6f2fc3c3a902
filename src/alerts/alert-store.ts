import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SloSpec } from '../slo/domain/slo.js';
import { AlertTransitionEntity } from './alert-transition.entity.js';
import { AlertTransitionEvent, AlertTransitionHooks } from './alert-transition-hooks.js';
import { AlertEntity } from './alert.entity.js';
import type { AlertChange, AlertSnapshot } from './domain/alert-transition.js';

export interface ApplyOptions {
  requireStoredSlo?: boolean;
}

/** Alert state and history in Postgres. Each transition is one transaction: state, history row, listeners' rows. */
@Injectable()
export class AlertStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(AlertTransitionHooks) private readonly hooks: AlertTransitionHooks,
  ) {}

  /** The SLO's firing alert, if any. */
  firing(sloName: string, manager: EntityManager = this.dataSource.manager): Promise<AlertEntity | null> {
    return manager.findOneBy(AlertEntity, { sloName, state: 'firing' });
  }

  /** Every firing alert, for the evaluator to resume from after a restart. */
  allFiring(): Promise<AlertEntity[]> {
    return this.dataSource.manager.findBy(AlertEntity, { state: 'firing' });
  }

  /** Records a transition and tells the listeners, atomically; returns null when the state had already moved on. */
  async apply(
    slo: SloSpec,
    change: AlertChange,
    snapshot: AlertSnapshot,
    at: Date,
    manager?: EntityManager,
    /** requireStoredSlo: fire only while the SLO is stored (the evaluator's spec may predate a deletion). */
    options: ApplyOptions = {},
  ): Promise<AlertTransitionEvent | null> {
    const run = (m: EntityManager) => this.applyIn(m, slo, change, snapshot, at, options);
    return manager ? run(manager) : this.dataSource.transaction(run);
  }

  /** Keeps the firing alert's latest numbers current without a transition. */
  async updateSnapshot(alertId: string, snapshot: AlertSnapshot): Promise<void> {
    await this.dataSource.manager.update(AlertEntity, { id: alertId }, { lastSnapshot: snapshot });
  }

  private async applyIn(
    manager: EntityManager,
    slo: SloSpec,
    change: AlertChange,
    snapshot: AlertSnapshot,
    at: Date,
    options: ApplyOptions,
  ): Promise<AlertTransitionEvent | null> {
    const current = await manager.findOne(AlertEntity, {
      where: { sloName: slo.name, state: 'firing' },
      lock: { mode: 'pessimistic_write' },
    });
    let alert: AlertEntity;
    let previousSeverity: AlertEntity['severity'] | null = null;
    switch (change.kind) {
      case 'fired':
        if (current) return null;
        // An SLO deleted while it was being evaluated must not get an alert that nothing would resolve. Its
        // deletion holds the row lock and closes firing alerts, so after it this finds no row.
        if (options.requireStoredSlo && !(await sloExists(manager, slo.name))) return null;
        alert = manager.create(AlertEntity, {
          sloName: slo.name,
          severity: change.severity,
          state: 'firing',
          startedAt: at,
          resolvedAt: null,
          lastSnapshot: snapshot,
          correlation: null,
        });
        break;
      case 'escalated':
        if (!current || current.severity === 'page') return null;
        previousSeverity = current.severity;
        alert = Object.assign(current, { severity: 'page', lastSnapshot: snapshot });
        break;
      case 'resolved':
        if (!current) return null;
        previousSeverity = current.severity;
        alert = Object.assign(current, { state: 'resolved', resolvedAt: at, lastSnapshot: snapshot });
        break;
    }
    alert = await manager.save(AlertEntity, alert);
    const transition = await manager.save(
      AlertTransitionEntity,
      manager.create(AlertTransitionEntity, {
        alertId: alert.id,
        kind: change.kind,
        severity: alert.severity,
        at,
        snapshot,
      }),
    );
    const event: AlertTransitionEvent = {
      transitionId: transition.id,
      alertId: alert.id,
      kind: change.kind,
      severity: alert.severity,
      previousSeverity,
      at,
      alertStartedAt: alert.startedAt,
      slo,
      snapshot,
    };
    await this.hooks.notify(manager, event);
    return event;
  }
}

async function sloExists(manager: EntityManager, name: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(`SELECT 1 FROM slos WHERE name = $1 FOR SHARE`, [name]);
  return rows.length > 0;
}
