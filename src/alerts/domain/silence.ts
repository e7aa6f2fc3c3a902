import type { Severity } from './alert-policy.js';

/**
 * Silences in Alertmanager's shape: a silence holds the notifications of every alert all of whose matchers match,
 * between startsAt and endsAt. The alert itself is still evaluated, recorded and shown; only telling is held.
 */

/** The labels a matcher may name, one per thing an on-call engineer tells alerts apart by. */
export const MATCHER_NAMES = ['slo', 'team', 'namespace', 'workload', 'severity'] as const;
export type MatcherName = (typeof MATCHER_NAMES)[number];

export interface Matcher {
  name: MatcherName;
  value: string;
  /** Alertmanager's semantics: the regular expression is anchored at both ends. */
  isRegex: boolean;
  /** false: the matcher matches when the label does NOT equal (or match) the value. */
  isEqual: boolean;
}

export interface Silence {
  id: string;
  matchers: Matcher[];
  startsAtMs: number;
  /** null: a silence until its alert resolves that has not yet ended. */
  endsAtMs: number | null;
  /** Ends when the alert `alertId` resolves; that resolve is still held. */
  untilResolved: boolean;
  /** Only this alert, when set (the "until resolved" form, or a silence made from one alert). */
  alertId: string | null;
}

export type SilenceState = 'active' | 'pending' | 'expired';

/** What an alert is matched on: its SLO's name, team and workload, and its current severity. */
export interface AlertLabels {
  slo: string;
  team?: string;
  namespace?: string;
  workload?: string;
  severity: Severity;
}

export interface SilencedAlert {
  id: string;
  labels: AlertLabels;
}

export function alertLabels(
  slo: { name: string; team?: string; service?: { namespace?: string; workload?: string } },
  severity: Severity,
): AlertLabels {
  return {
    slo: slo.name,
    team: slo.team,
    namespace: slo.service?.namespace,
    workload: slo.service?.workload,
    severity,
  };
}

export function silenceState(silence: Pick<Silence, 'startsAtMs' | 'endsAtMs'>, nowMs: number): SilenceState {
  if (silence.endsAtMs !== null && silence.endsAtMs <= nowMs) return 'expired';
  if (silence.startsAtMs > nowMs) return 'pending';
  return 'active';
}

/** The anchored expression a regex matcher tests with; throws on an invalid pattern. */
export function matcherRegExp(value: string): RegExp {
  return new RegExp(`^(?:${value})$`);
}

/** A label the alert does not have counts as the empty string, as in Alertmanager. */
export function matcherMatches(matcher: Matcher, labels: AlertLabels): boolean {
  const label = labels[matcher.name] ?? '';
  const equal = matcher.isRegex ? matcherRegExp(matcher.value).test(label) : label === matcher.value;
  return equal === matcher.isEqual;
}

export function silenceMatches(silence: Silence, alert: SilencedAlert): boolean {
  if (silence.alertId !== null && silence.alertId !== alert.id) return false;
  return silence.matchers.every((m) => matcherMatches(m, alert.labels));
}

/**
 * Whether the silence holds a transition of this alert at `atMs`. A silence until the alert resolves also holds
 * that resolve, which is the very moment it ends.
 */
export function holdsTransition(silence: Silence, alert: SilencedAlert, atMs: number): boolean {
  if (!silenceMatches(silence, alert)) return false;
  if (silenceState(silence, atMs) === 'active') return true;
  return silence.untilResolved && silence.alertId === alert.id && silence.endsAtMs === atMs;
}

/**
 * The silence that holds a transition at `atMs`, of all that match: the one that lasts longest (until-resolved
 * ones first), so that the UI names the silence to wait for.
 */
export function holdingSilence<S extends Silence>(
  silences: readonly S[],
  alert: SilencedAlert,
  atMs: number,
): S | undefined {
  return longest(silences.filter((s) => holdsTransition(s, alert, atMs)));
}

/** The active silence that holds the alert's notifications at `atMs` (not counting one that just ended). */
export function activeSilence<S extends Silence>(
  silences: readonly S[],
  alert: SilencedAlert,
  atMs: number,
): S | undefined {
  return longest(silences.filter((s) => silenceState(s, atMs) === 'active' && silenceMatches(s, alert)));
}

function longest<S extends Silence>(silences: S[]): S | undefined {
  return silences.sort((a, b) => (b.endsAtMs ?? Infinity) - (a.endsAtMs ?? Infinity))[0];
}
