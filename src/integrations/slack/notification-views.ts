import { EntityManager, In } from 'typeorm';
import type { DeliveryView } from '../../alerts/deliveries.port.js';
import type { SlackMessage } from './domain/slack-message.js';
import { NotificationEntity, NotificationKind, NotificationState } from './notification.entity.js';

/** A notification's delivery, as the API shows it (the alerts' port, src/alerts/deliveries.port.ts, reads these). */
export interface NotificationView extends DeliveryView {
  kind: NotificationKind;
  state: NotificationState;
}

export interface NotificationDetailView extends NotificationView {
  /** What was sent, or in dry-run what would have been. */
  message: SlackMessage | null;
}

export function toNotificationView(n: NotificationEntity): NotificationView {
  return {
    id: n.id,
    alertId: n.alertId,
    kind: n.kind,
    channel: n.channel,
    state: n.state,
    attempts: n.attempts,
    error: n.error,
    createdAt: n.createdAt.toISOString(),
    sentAt: n.sentAt?.toISOString() ?? null,
    nextAttemptAt: n.state === 'pending' ? n.nextAttemptAt.toISOString() : null,
    ts: n.ts,
    threadTs: n.threadTs,
    silenceId: n.silenceId,
  };
}

export function toNotificationDetailView(n: NotificationEntity): NotificationDetailView {
  return { ...toNotificationView(n), message: n.message };
}

/** The notifications of some alerts, in delivery order, for the alert views. */
export async function notificationsOfAlerts(
  manager: EntityManager,
  alertIds: string[],
): Promise<Map<string, NotificationView[]>> {
  const byAlert = new Map<string, NotificationView[]>(alertIds.map((id) => [id, []]));
  if (alertIds.length === 0) return byAlert;
  const rows = await manager.find(NotificationEntity, {
    where: { alertId: In(alertIds) },
    order: { seq: 'ASC' },
  });
  for (const row of rows) byAlert.get(row.alertId!)?.push(toNotificationView(row));
  return byAlert;
}
