import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SloSpec } from '../slo/domain/slo.js';
import { SloDeletionListener, SloLifecycleHooks } from '../slo/slo-lifecycle-hooks.js';
import { AlertStore } from './alert-store.js';

/**
 * Resolves the firing alert of an SLO being deleted, through the ordinary transition (history row, Slack outbox),
 * so that nobody is left with an alert that no evaluation will ever resolve, and a new SLO of the same name starts
 * without one.
 */
@Injectable()
export class SloDeletionAlertCloser implements SloDeletionListener, OnModuleInit {
  readonly name = 'alerts';

  constructor(
    @Inject(AlertStore) private readonly alerts: AlertStore,
    @Inject(SloLifecycleHooks) private readonly hooks: SloLifecycleHooks,
  ) {}

  onModuleInit(): void {
    this.hooks.register(this);
  }

  async onSloDeleted(manager: EntityManager, slo: SloSpec, at: Date): Promise<void> {
    const firing = await this.alerts.firing(slo.name, manager);
    if (!firing) return;
    // The last numbers the evaluator recorded are the alert's final snapshot: there is no SLO left to evaluate.
    await this.alerts.apply(slo, { kind: 'resolved' }, firing.lastSnapshot, at, manager);
  }
}
