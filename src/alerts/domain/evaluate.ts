import { burnRate, EventCounts, secondsToReachBurnRate } from '../../slo/domain/budget.js';
import { BurnRateWindow, Severity } from './alert-policy.js';

/** What a window holds: events (occurrences) or slices (timeslices), and the bad ones among them. */
export interface WindowCounts extends EventCounts {
  /**
   * Requests in the window, when `total` and `bad` count slices (timeslices budgeting): `minEvents` is then
   * compared with the requests, not with the few slices a short window holds. Leave it out for occurrences.
   */
  requests?: number;
}

/** Counts of a tier's long and short windows, both ending now. */
export interface TierCounts {
  long: WindowCounts;
  short: WindowCounts;
}

export interface WindowEvaluation {
  window: BurnRateWindow;
  /** null when the window holds no events. */
  longBurnRate: number | null;
  shortBurnRate: number | null;
  /** Both windows hold at least `minEvents` events, so the tier may be judged. */
  judged: boolean;
  /** Judged, and both windows burn at or above the tier's rate. */
  firing: boolean;
}

/**
 * What the tiers of one severity say: `firing` when one of them fires, `ok` when none fires and at least one
 * could be judged, `noData` when none could be judged (too few events in every one of them).
 */
export type SeverityVerdict = 'firing' | 'ok' | 'noData';

/** `noData` only when not a single tier could be judged: the SLO has (almost) no traffic. */
export type EvaluationState = 'ok' | 'ticket' | 'page' | 'noData';

export interface Evaluation {
  state: EvaluationState;
  severities: Record<Severity, SeverityVerdict>;
  windows: WindowEvaluation[];
}

/**
 * Burn rates compare as "at or above" with a relative tolerance, so that 1.44 % errors at 99.9 % meets 14.4×
 * although 0.0144 / 0.001 is 14.399999999999999 in floating point.
 */
const RELATIVE_TOLERANCE = 1e-9;

/**
 * Judges every tier of an SLO's policy. `counts[i]` holds the events of `windows[i]`'s long and short windows.
 * A tier fires when its long AND short windows both burn at or above its rate and both hold at least
 * `minEvents` events: one failed request out of ten judges nothing.
 */
export function evaluateBurnRateWindows(
  windows: readonly BurnRateWindow[],
  counts: readonly TierCounts[],
  allowedBadRatio: number,
  minEvents: number,
): Evaluation {
  if (counts.length !== windows.length) {
    throw new RangeError(`expected counts for ${windows.length} windows, got ${counts.length}`);
  }
  const evaluations = windows.map((window, i) =>
    evaluateWindow(window, counts[i]!, allowedBadRatio, minEvents),
  );
  const severities = {
    page: severityVerdict(evaluations, 'page'),
    ticket: severityVerdict(evaluations, 'ticket'),
  };
  return { state: overallState(severities, evaluations), severities, windows: evaluations };
}

export function evaluateWindow(
  window: BurnRateWindow,
  counts: TierCounts,
  allowedBadRatio: number,
  minEvents: number,
): WindowEvaluation {
  const longBurnRate = burnRate(counts.long, allowedBadRatio);
  const shortBurnRate = burnRate(counts.short, allowedBadRatio);
  const judged = holdsEnough(counts.long, minEvents) && holdsEnough(counts.short, minEvents);
  const firing =
    judged && atOrAbove(longBurnRate!, window.burnRate) && atOrAbove(shortBurnRate!, window.burnRate);
  return { window, longBurnRate, shortBurnRate, judged, firing };
}

function holdsEnough(counts: WindowCounts, minEvents: number): boolean {
  return counts.total > 0 && (counts.requests ?? counts.total) >= Math.max(minEvents, 1);
}

function atOrAbove(rate: number, threshold: number): boolean {
  return rate >= threshold * (1 - RELATIVE_TOLERANCE);
}

function severityVerdict(evaluations: readonly WindowEvaluation[], severity: Severity): SeverityVerdict {
  const tiers = evaluations.filter((e) => e.window.severity === severity);
  if (tiers.some((e) => e.firing)) return 'firing';
  return tiers.some((e) => e.judged) ? 'ok' : 'noData';
}

function overallState(
  severities: Record<Severity, SeverityVerdict>,
  evaluations: readonly WindowEvaluation[],
): EvaluationState {
  if (severities.page === 'firing') return 'page';
  if (severities.ticket === 'firing') return 'ticket';
  return evaluations.some((e) => e.judged) ? 'ok' : 'noData';
}

/** The stored state of an SLO's alert. */
export type AlertState = { state: 'ok' } | { state: 'firing'; severity: Severity };

export type Transition =
  | { type: 'none' }
  | { type: 'fired'; severity: Severity }
  | { type: 'escalated'; from: 'ticket'; to: 'page' }
  | { type: 'resolved'; severity: Severity };

/**
 * The alert state machine: one alert per SLO, ok → firing(ticket|page) → resolved.
 *
 * - A ticket escalates to a page when a page tier fires.
 * - A page does not de-escalate: while a ticket tier still fires the page stays open, and it resolves when
 *   neither severity fires. One incident per burn, and no page ↔ ticket flapping; the evaluation's `state`
 *   still tells the UI that only the slow burn goes on.
 * - An alert resolves only on evidence: the severity it fires at must be judged `ok` (some tier of it had
 *   enough events and none fires). Too few events (`noData`) never fires, resolves, or escalates anything.
 */
export function nextTransition(previous: AlertState, evaluation: Evaluation): Transition {
  const { page, ticket } = evaluation.severities;
  if (previous.state === 'ok') {
    if (page === 'firing') return { type: 'fired', severity: 'page' };
    if (ticket === 'firing') return { type: 'fired', severity: 'ticket' };
    return { type: 'none' };
  }
  if (previous.severity === 'ticket') {
    if (page === 'firing') return { type: 'escalated', from: 'ticket', to: 'page' };
    return ticket === 'ok' ? { type: 'resolved', severity: 'ticket' } : { type: 'none' };
  }
  if (page === 'ok' && ticket !== 'firing') return { type: 'resolved', severity: 'page' };
  return { type: 'none' };
}

/** The stored state after a transition. */
export function applyTransition(previous: AlertState, transition: Transition): AlertState {
  switch (transition.type) {
    case 'none':
      return previous;
    case 'fired':
      return { state: 'firing', severity: transition.severity };
    case 'escalated':
      return { state: 'firing', severity: 'page' };
    case 'resolved':
      return { state: 'ok' };
  }
}

/**
 * Seconds after an outage of `errorRatio` starts until the tier fires (both windows over its rate), for steady
 * traffic that was good before. null when the outage is too mild for the tier. SRE workbook: 100 % errors at
 * 99.9 % fire the 1 h / 5 m 14.4× tier after max(51.84 s, 4.32 s) = 51.84 s.
 */
export function secondsToDetect(
  window: BurnRateWindow,
  allowedBadRatio: number,
  errorRatio: number,
): number | null {
  const long = secondsToReachBurnRate(window.longWindowSeconds, window.burnRate, allowedBadRatio, errorRatio);
  const short = secondsToReachBurnRate(
    window.shortWindowSeconds,
    window.burnRate,
    allowedBadRatio,
    errorRatio,
  );
  if (long === null || short === null) return null;
  return Math.max(long, short);
}

/**
 * The counts `evaluateBurnRateWindows` needs, summing each distinct window length once: `sumWindow(seconds)`
 * returns the counts of the window of that length ending now (e.g. `store.windowSum(nowMinute, seconds / 60)`).
 */
export function tierCounts(
  windows: readonly BurnRateWindow[],
  sumWindow: (windowSeconds: number) => WindowCounts,
): TierCounts[] {
  const sums = new Map<number, WindowCounts>();
  const sumOnce = (seconds: number): WindowCounts => {
    let counts = sums.get(seconds);
    if (counts === undefined) {
      counts = sumWindow(seconds);
      sums.set(seconds, counts);
    }
    return counts;
  };
  return windows.map((w) => ({ long: sumOnce(w.longWindowSeconds), short: sumOnce(w.shortWindowSeconds) }));
}

/** The distinct window lengths a policy needs, longest first: sum each once and share the sums between tiers. */
export function distinctWindowSeconds(windows: readonly BurnRateWindow[]): number[] {
  const seconds = new Set(windows.flatMap((w) => [w.longWindowSeconds, w.shortWindowSeconds]));
  return [...seconds].sort((a, b) => b - a);
}
