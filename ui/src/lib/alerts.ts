import type { Alert, AlertAnnotation, Notification, Suspect } from '../api/types.js';
import { formatTime, shortDigest, shortImage } from './format.js';

/** The delivery of an alert's notifications, summed up: failed wins over pending, pending over sent. */
export interface DeliverySummary {
  state: 'sent' | 'pending' | 'failed' | 'dry-run' | 'held' | 'none' | 'unknown';
  text: string;
  errors: string[];
}

/** notifications is undefined on a server without the Slack notifier: say we don't know rather than "none". */
export function deliverySummary(notifications: Notification[] | undefined): DeliverySummary {
  if (notifications === undefined) return { state: 'unknown', text: 'Not reported', errors: [] };
  if (notifications.length === 0) return { state: 'none', text: 'No notification', errors: [] };
  const failed = notifications.filter((n) => n.state === 'failed');
  const pending = notifications.filter((n) => n.state === 'pending');
  const errors = failed.map(
    (n) => `${n.channel}: ${n.error ?? 'unknown error'} (${plural(n.attempts, 'attempt')})`,
  );
  if (failed.length > 0)
    return { state: 'failed', text: `Failed (${failed.length} of ${notifications.length})`, errors };
  if (pending.length > 0) {
    const retries = pending.filter((n) => n.attempts > 0);
    const retrying = retries.length > 0 ? `, retrying after ${plural(retries[0]!.attempts, 'attempt')}` : '';
    return {
      state: 'pending',
      text: `Pending (${pending.length} of ${notifications.length}${retrying})`,
      errors: pending.filter((n) => n.error).map((n) => `${n.channel}: ${n.error}`),
    };
  }
  const held = notifications.filter((n) => n.state === 'held');
  if (held.length > 0 && notifications.at(-1)!.state === 'held')
    return {
      state: 'held',
      text: `Held by a silence (${held.length} of ${notifications.length})`,
      errors: [],
    };
  const channels = [...new Set(notifications.map((n) => n.channel))].join(', ');
  if (notifications.every((n) => n.state === 'dry-run' || n.state === 'held'))
    return { state: 'dry-run', text: `Dry run: not sent to ${channels} (no Slack token)`, errors: [] };
  return { state: 'sent', text: `Sent to ${channels}`, errors: [] };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** Firing first (newest first), then the rest as recent history. */
export function splitAlerts(alerts: Alert[]): { firing: Alert[]; recent: Alert[] } {
  const byStart = [...alerts].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  return {
    firing: byStart.filter((a) => a.state === 'firing'),
    recent: byStart.filter((a) => a.state !== 'firing'),
  };
}

/** The changes the correlator ties to an alert, one line each, most suspect first, then the warnings around it. */
export function correlatedChanges(alert: Alert, timeZone?: string): string[] {
  const suspects = (alert.correlation?.suspects ?? []).map((s) => describeSuspect(s, timeZone));
  const events = (alert.correlation?.events ?? []).map(
    (e) => `${e.count > 1 ? `${e.count}× ` : ''}warning ${e.reason} on ${e.objectName}`,
  );
  return [...suspects, ...events];
}

export function describeSuspect(suspect: Suspect, timeZone?: string): string {
  const where = `${suspect.namespace ? `${suspect.namespace}/` : ''}${suspect.workload}`;
  let text: string;
  switch (suspect.kind) {
    case 'deploy':
      text = `Deploy of ${where} → ${suspect.digest ? shortDigest(suspect.digest) : shortImage(suspect.image)}${
        suspect.image ? ` (${shortImage(suspect.image)})` : ''
      }`;
      break;
    case 'configRollout':
      text = `Configuration rollout of ${where}`;
      break;
    case 'scale':
      text = `Scale of ${where}`;
      break;
  }
  return `${text} at ${formatTime(suspect.at, timeZone)}${suspect.reason ? ` — ${suspect.reason}` : ''}`;
}

/** "@alice" for someone who acted from Slack ("alice (Slack U0123ABCD)" as recorded); otherwise the name as given. */
export function annotationAuthor(a: Pick<AlertAnnotation, 'createdBy' | 'slackUserId'>): string {
  if (!a.slackUserId) return a.createdBy;
  const name = a.createdBy.replace(/\s*\(Slack [^)]*\)$/, '').trim();
  return name ? `@${name}` : a.slackUserId;
}

/** "Acknowledged by @alice at 10 Nov, 10:02": one line per thing said about an alert (the Slack message's wording). */
export function describeAnnotation(a: AlertAnnotation, timeZone?: string): string {
  const who = annotationAuthor(a);
  const at = formatTime(a.at, timeZone);
  switch (a.kind) {
    case 'acknowledged':
      return `Acknowledged by ${who} at ${at}`;
    case 'silenced': {
      const until = a.silence?.endsAt
        ? `until ${formatTime(a.silence.endsAt, timeZone)}`
        : 'until the alert resolves';
      return `Silenced ${until} by ${who} at ${at}`;
    }
    case 'notARealBurn': {
      const range = a.correction
        ? ` (${formatTime(a.correction.start, timeZone)} to ${formatTime(a.correction.end, timeZone)} left out of the budget)`
        : '';
      return `Not a real burn, says ${who} at ${at}: ${a.comment ?? ''}${range}`;
    }
  }
}
