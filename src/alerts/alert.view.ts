/** Wire shapes of the API, shared with the UI (ui/src/api/types.ts): no Nest or TypeORM here, so both compile it. */
import type { Severity } from './domain/alert-policy.js';
import type { Correlation } from './correlation/correlation.js';
import type { AlertAnnotation } from './domain/alert-annotation.js';
import type { AlertSnapshot, AlertState } from './domain/alert-transition.js';
import type { SilenceView } from './silences/silence.view.js';

export interface AlertView {
  id: string;
  slo: string;
  severity: Severity;
  state: AlertState;
  startedAt: string;
  resolvedAt: string | null;
  durationSeconds: number;
  snapshot: AlertSnapshot;
  correlation: Correlation | null;
  /** Slack deliveries of this alert's transitions, in order. */
  notifications: DeliveryView[];
  /** The silence holding this firing alert's notifications now, if any. */
  silence: SilenceView | null;
  /** Acknowledgements, silences and "not a real burn" from Slack's buttons, oldest first. */
  annotations: AlertAnnotation[];
}

export interface AlertDetailView extends AlertView {
  transitions: { id: string; kind: string; severity: string; at: string; snapshot: AlertSnapshot }[];
}

/** One Slack delivery of an alert's transition. */
export interface DeliveryView {
  id: string;
  alertId: string | null;
  kind: 'fired' | 'escalated' | 'resolved' | 'test';
  channel: string;
  /** held: a silence matched the alert, so the notification is kept and not sent. */
  state: 'pending' | 'sent' | 'failed' | 'dry-run' | 'held';
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
