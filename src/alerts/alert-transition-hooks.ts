import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SloSpec } from '../slo/domain/slo.js';
import type { Severity } from './domain/alert-policy.js';
import type { AlertSnapshot, TransitionKind } from './domain/alert-transition.js';

/** One alert transition as the integrations (Slack, Kubernetes correlation) receive it. */
export interface AlertTransitionEvent {
  transitionId: string;
  alertId: string;
  kind: TransitionKind;
  severity: Severity;
  previousSeverity: Severity | null;
  at: Date;
  alertStartedAt: Date;
  slo: SloSpec;
  snapshot: AlertSnapshot;
}

/**
 * A port for what must happen with every alert transition. It runs inside the transaction that records the
 * transition: write your own rows with `manager` (an outbox), never call the network here, so that a crash
 * either keeps both the transition and your rows or neither.
 */
export interface AlertTransitionListener {
  readonly name: string;
  onAlertTransition(manager: EntityManager, event: AlertTransitionEvent): Promise<void>;
}

/** Where integrations register their listeners (in their module's onModuleInit). */
@Injectable()
export class AlertTransitionHooks {
  private readonly listeners: AlertTransitionListener[] = [];

  register(listener: AlertTransitionListener): void {
    this.listeners.push(listener);
  }

  async notify(manager: EntityManager, event: AlertTransitionEvent): Promise<void> {
    for (const listener of this.listeners) await listener.onAlertTransition(manager, event);
  }
}
