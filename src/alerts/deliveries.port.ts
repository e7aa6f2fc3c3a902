import type { EntityManager } from 'typeorm';

/**
 * A port to how alerts were delivered (Slack today): the alert views list each transition's delivery. The Slack
 * integration implements it; without it (no delivery configured) the views list none.
 */
export interface DeliveryView {
  id: string;
  alertId: string | null;
  kind: string;
  channel: string;
  state: string;
  attempts: number;
  error: string | null;
  createdAt: string;
  sentAt: string | null;
  nextAttemptAt: string | null;
  /** Slack's ts of the message (and the thread it replies in). */
  ts: string | null;
  threadTs: string | null;
  /** held: the silence that held it; otherwise the silence whose end it tells about, if any. */
  silenceId: string | null;
}

export interface AlertDeliveries {
  /** Each alert's deliveries, in delivery order (every id present, with an empty list when it has none). */
  ofAlerts(manager: EntityManager, alertIds: string[]): Promise<Map<string, DeliveryView[]>>;
}

export const ALERT_DELIVERIES = Symbol('ALERT_DELIVERIES');
