import {
  burnRate,
  EventCounts,
  secondsToExhaustion,
  secondsToReachBurnRate,
} from '../../slo/domain/budget.js';
import { MinuteRange, excludingMinutes, minutesCovered } from '../../slo/domain/corrections.js';
import { formatDuration } from '../../slo/domain/duration.js';
import { BurnRateWindow, Severity } from './alert-policy.js';
import type { AlertChange, AlertSnapshot } from './alert-transition.js';

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

// ——— One SLO at one minute: tiers, freshness, budget and forecast ———

/** What the engine, the status API, the timeseries and Slack say about an SLO. */
export type SloStatus = 'ok' | 'ticket' | 'page' | 'noData' | 'stale' | 'error';

/** Events (or slices) summed over the minutes [fromMinute, toMinute). */
export type SumMinutes = (fromMinute: number, toMinute: number) => WindowCounts;

export interface SloEvaluationInput {
  /** The SLO window, in minutes. */
  windowMinutes: number;
  allowedBadRatio: number;
  windows: readonly BurnRateWindow[];
  sum: SumMinutes;
  /** The current minute; its events so far are included. */
  nowMinute: number;
  minEvents: number;
  /** The latest minute holding any event; null when the SLO has never had data. */
  lastDataMinute: number | null;
  /** No event for longer than this and the SLO is `stale`: the numbers describe the past. */
  staleAfterMinutes: number;
  /** Timeslices budgeting: the slice length. The budget then counts every slice of the window. */
  sliceMinutes?: number;
  /** Budget corrections: minutes left out of every window (sorted, disjoint). */
  excludedMinutes?: readonly MinuteRange[];
  /**
   * A calendar window: the budget period (its first minute and its length). The SLI and budget then run from the
   * period's start (the budget resets there); the tiers stay rolling. Leave it out for a rolling window.
   */
  budgetPeriod?: { fromMinute: number; minutes: number };
}

/** One tier as the API shows it. */
export interface TierView {
  severity: Severity;
  longWindow: string;
  shortWindow: string;
  threshold: number;
  long: number | null;
  short: number | null;
  longEvents: number;
  shortEvents: number;
  /** Both windows hold at least minEvents events. */
  judged: boolean;
  firing: boolean;
}

export interface SloEvaluation {
  status: SloStatus;
  sli: { percent: number | null; total: number; bad: number };
  errorBudget: {
    totalEvents: number;
    consumedEvents: number;
    remainingEvents: number;
    remainingPercent: number | null;
    consumedPercent: number | null;
  };
  burnRates: TierView[];
  /** What the tiers of each severity say, the state machine's evidence. */
  severities: Record<Severity, SeverityVerdict>;
  forecast: { burnRate: number | null; exhaustionAt: string | null; secondsToExhaustion: number | null };
  lastDataMinute: number | null;
  /** Set when `status` is `stale`: the end of the last minute with data. */
  staleSince: string | null;
  /** Set when `status` is `error`: why the SLO could not be evaluated, and since when it has failed. */
  error: { reason: string; since: string } | null;
  /** Budget corrections within the SLO window: minutes left out, and whether one covers the current minute. */
  corrections: { excludedMinutes: number; activeNow: boolean };
}

/**
 * Evaluates one SLO: SLI and budget over its window, every tier, data freshness and the forecast. Pure: the
 * clock is `nowMinute` and the data is `sum`.
 *
 * - `stale` when the SLO had data but none for more than `staleAfterMinutes`: the windows still hold the old
 *   events, so the tiers are shown but say nothing about now; the state machine neither fires nor resolves.
 * - `noData` when no tier holds enough events to be judged (or, with alerting off, no event at all).
 * - Timeslices: the budget is `allowedBadRatio × slices in the window`, whether or not a slice had traffic.
 */
export function evaluateSlo(input: SloEvaluationInput): SloEvaluation {
  const { windows, nowMinute, allowedBadRatio, windowMinutes } = input;
  const excluded = input.excludedMinutes ?? [];
  const sum = excludingMinutes(input.sum, excluded);
  const end = nowMinute + 1;
  const budgetFrom = input.budgetPeriod?.fromMinute ?? end - windowMinutes;
  const budgetMinutes = input.budgetPeriod?.minutes ?? windowMinutes;
  const excludedMinutes = minutesCovered(excluded, budgetFrom, end);
  const whole = sum(budgetFrom, end);
  const sums = new Map<number, WindowCounts>();
  const sumWindow = (seconds: number) => {
    let counts = sums.get(seconds);
    if (counts === undefined) {
      counts = sum(end - seconds / 60, end);
      sums.set(seconds, counts);
    }
    return counts;
  };
  const counts = tierCounts(windows, sumWindow);
  const tiers = evaluateBurnRateWindows(windows, counts, allowedBadRatio, input.minEvents);
  const burnRates = tiers.windows.map((w, i): TierView => ({
    severity: w.window.severity,
    longWindow: formatDuration(w.window.longWindowSeconds),
    shortWindow: formatDuration(w.window.shortWindowSeconds),
    threshold: w.window.burnRate,
    long: round(w.longBurnRate),
    short: round(w.shortBurnRate),
    longEvents: counts[i]!.long.total,
    shortEvents: counts[i]!.short.total,
    judged: w.judged,
    firing: w.firing,
  }));

  const stale = input.lastDataMinute !== null && nowMinute - input.lastDataMinute > input.staleAfterMinutes;
  let status: SloStatus;
  if (stale) status = 'stale';
  else if (windows.length === 0) status = whole.total > 0 ? 'ok' : 'noData';
  else status = tiers.state;

  const budgetEvents =
    input.sliceMinutes === undefined
      ? whole.total * allowedBadRatio
      : Math.floor(
          (budgetMinutes - minutesCovered(excluded, budgetFrom, budgetFrom + budgetMinutes)) /
            input.sliceMinutes,
        ) * allowedBadRatio;
  const remaining = budgetEvents - whole.bad;
  // No event in the window: nothing is known about the budget, even when timeslices fix its size.
  const remainingFraction = budgetEvents > 0 && whole.total > 0 ? remaining / budgetEvents : null;

  // Forecast at the burn rate of the shortest long window (1 h for a 30 d SLO).
  const forecastWindow = [...windows].sort((a, b) => a.longWindowSeconds - b.longWindowSeconds)[0];
  const forecastRate = burnRate(
    forecastWindow ? sumWindow(forecastWindow.longWindowSeconds) : whole,
    allowedBadRatio,
  );
  const exhaustionSeconds = secondsToExhaustion(
    remainingFraction === null ? null : remainingFraction * 100,
    forecastRate,
    budgetMinutes * 60,
  );
  const secondsLeft = exhaustionSeconds === null ? null : Math.round(exhaustionSeconds);
  return {
    status,
    sli: {
      percent: whole.total > 0 ? round((1 - whole.bad / whole.total) * 100, 6) : null,
      total: whole.total,
      bad: whole.bad,
    },
    errorBudget: {
      totalEvents: round(budgetEvents, 3)!,
      consumedEvents: whole.bad,
      remainingEvents: round(remaining, 3)!,
      remainingPercent: remainingFraction === null ? null : round(remainingFraction * 100, 4),
      consumedPercent: remainingFraction === null ? null : round((1 - remainingFraction) * 100, 4),
    },
    burnRates,
    severities: tiers.severities,
    forecast: {
      burnRate: round(forecastRate),
      secondsToExhaustion: secondsLeft,
      exhaustionAt:
        secondsLeft === null ? null : new Date((nowMinute * 60 + secondsLeft) * 1000).toISOString(),
    },
    lastDataMinute: input.lastDataMinute,
    staleSince: stale ? new Date((input.lastDataMinute! + 1) * 60_000).toISOString() : null,
    error: null,
    corrections: { excludedMinutes, activeNow: minutesCovered(excluded, nowMinute, end) > 0 },
  };
}

/** The evaluation of an SLO that could not be evaluated: every number unknown, the reason and since when. */
export function failedEvaluation(
  reason: string,
  since: Date,
  lastDataMinute: number | null = null,
): SloEvaluation {
  return {
    status: 'error',
    sli: { percent: null, total: 0, bad: 0 },
    errorBudget: {
      totalEvents: 0,
      consumedEvents: 0,
      remainingEvents: 0,
      remainingPercent: null,
      consumedPercent: null,
    },
    burnRates: [],
    severities: { page: 'noData', ticket: 'noData' },
    forecast: { burnRate: null, exhaustionAt: null, secondsToExhaustion: null },
    lastDataMinute,
    staleSince: null,
    error: { reason, since: since.toISOString() },
    corrections: { excludedMinutes: 0, activeNow: false },
  };
}

/**
 * The stored alert's next change, by the state machine above (`nextTransition`). An SLO that is stale, has no
 * data or failed to evaluate changes nothing: missing evidence neither fires nor resolves.
 */
export function nextChange(
  current: { severity: Severity } | null,
  evaluation: SloEvaluation,
): AlertChange | null {
  if (evaluation.status === 'stale' || evaluation.status === 'error' || evaluation.status === 'noData')
    return null;
  const previous: AlertState = current ? { state: 'firing', severity: current.severity } : { state: 'ok' };
  const transition = nextTransition(previous, {
    state: 'ok',
    severities: evaluation.severities,
    windows: [],
  });
  switch (transition.type) {
    case 'none':
      return null;
    case 'fired':
      return { kind: 'fired', severity: transition.severity };
    case 'escalated':
      return { kind: 'escalated', severity: 'page' };
    case 'resolved':
      return { kind: 'resolved' };
  }
}

/** The numbers kept with an alert (what Slack and the UI show). */
export function snapshotOf(objective: number, evaluation: SloEvaluation): AlertSnapshot {
  return {
    sliPercent: evaluation.sli.percent,
    objective,
    budgetRemainingPercent: evaluation.errorBudget.remainingPercent,
    burnRates: evaluation.burnRates.map((w) => ({
      severity: w.severity,
      longWindow: w.longWindow,
      shortWindow: w.shortWindow,
      threshold: w.threshold,
      longBurnRate: w.long,
      shortBurnRate: w.short,
      firing: w.firing,
    })),
    exhaustionAt: evaluation.forecast.exhaustionAt,
    dataState:
      evaluation.status === 'stale'
        ? { state: 'stale', since: evaluation.staleSince }
        : evaluation.status === 'error'
          ? { state: 'error', since: evaluation.error!.since, reason: evaluation.error!.reason }
          : { state: 'fresh', since: null },
  };
}

function round(value: number | null, decimals = 4): number | null {
  if (value === null) return null;
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
