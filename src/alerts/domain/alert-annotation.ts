/**
 * What people said about an alert where it arrived (Slack's buttons): that someone is on it, that it was
 * silenced, or that it was not a real burn (with the budget correction recorded for it). Kept with the alert and
 * shown on its message; none of them holds a notification (only a silence does).
 */
export type AnnotationKind = 'acknowledged' | 'silenced' | 'notARealBurn';

export interface AlertAnnotation {
  kind: AnnotationKind;
  /** Who, as recorded: "alice (Slack U0123ABCD)". */
  createdBy: string;
  /** The Slack user, when the annotation came from Slack: messages mention them (<@U0123ABCD>). */
  slackUserId: string | null;
  at: string;
  /** silenced: the silence made, and when it ends (null: when the alert resolves). */
  silence?: { id: string; endsAt: string | null };
  /** notARealBurn: the reason given, and the budget correction recorded. */
  comment?: string;
  correction?: { id: string; start: string; end: string };
}
