import type { EntityManager } from 'typeorm';
import type { DeliveryView } from './alert.view.js';
export type { DeliveryView } from './alert.view.js';

/**
 * A port to how alerts were delivered (Slack today): the alert views list each transition's delivery. The Slack
 * integration implements it; without it (no delivery configured) the views list none.
 */
export interface AlertDeliveries {
  /** Each alert's deliveries, in delivery order (every id present, with an empty list when it has none). */
  ofAlerts(manager: EntityManager, alertIds: string[]): Promise<Map<string, DeliveryView[]>>;
}

export const ALERT_DELIVERIES = Symbol('ALERT_DELIVERIES');
