/**
 * Error-budget arithmetic: plain numbers in, plain numbers out.
 *
 * Ratios inside (`allowedBadRatio` 0.001 for a 99.9 % objective, see `allowedBadRatio()` in slo.ts),
 * percent only in fields whose name says so. Time is in seconds and always passed in.
 */

/** Events counted over some window: every event, and the bad ones among them. */
export interface EventCounts {
  total: number;
  bad: number;
}

/** Slices counted over some window. Slices without data are in neither count. */
export interface SliceCounts {
  goodSlices: number;
  badSlices: number;
}

export interface ErrorBudget {
  /** Bad events (or slices) the window may hold. */
  allowedBad: number;
  consumedBad: number;
  /** Negative once the budget is overspent. */
  remainingBad: number;
  /** null while there is nothing to budget (no events yet). */
  consumedPercent: number | null;
  /** Negative once the budget is overspent; null while there is nothing to budget. */
  remainingPercent: number | null;
}

/** The share of good events, from 0 to 1; null without events, because no data is not good. */
export function sliRatio(counts: EventCounts): number | null {
  if (counts.total <= 0) return null;
  return (counts.total - counts.bad) / counts.total;
}

/** The share of good slices among the slices that had data; null when none had. */
export function sliceSliRatio(slices: SliceCounts): number | null {
  return sliRatio({ total: slices.goodSlices + slices.badSlices, bad: slices.badSlices });
}

/** Occurrences: the budget is a share of the events actually seen (OpenSLO: 336,000 × 5 % = 16,800). */
export function allowedBadEvents(totalEvents: number, allowedBadRatio: number): number {
  return totalEvents * allowedBadRatio;
}

/** Occurrences budgeting over the SLO window: the budget grows with the traffic. */
export function occurrencesBudget(counts: EventCounts, allowedBadRatio: number): ErrorBudget {
  return budgetOf(allowedBadEvents(counts.total, allowedBadRatio), counts.bad);
}

/** Slices in a window: a 2-week window of 1-minute slices has 20,160. A partial slice does not count. */
export function slicesInWindow(windowSeconds: number, sliceSeconds: number): number {
  return Math.floor(windowSeconds / sliceSeconds);
}

/**
 * Timeslices budgeting: the budget is a share of every slice in the window, whether or not it had data
 * (OpenSLO: 20,160 one-minute slices × 5 % = 1,008 bad slices, 16 h 48 m). A slice without data is
 * neither good nor bad: it spends no budget and it is left out of the SLI, so a quiet night neither
 * hides nor inflates an outage. The budget is fixed by the window, not by the slices seen so far.
 */
export function timeslicesBudget(
  slices: SliceCounts,
  windowSeconds: number,
  sliceSeconds: number,
  allowedBadRatio: number,
): ErrorBudget {
  return budgetOf(slicesInWindow(windowSeconds, sliceSeconds) * allowedBadRatio, slices.badSlices);
}

function budgetOf(allowedBad: number, consumedBad: number): ErrorBudget {
  const remainingBad = allowedBad - consumedBad;
  if (allowedBad <= 0) {
    return { allowedBad, consumedBad, remainingBad, consumedPercent: null, remainingPercent: null };
  }
  return {
    allowedBad,
    consumedBad,
    remainingBad,
    consumedPercent: (consumedBad / allowedBad) * 100,
    remainingPercent: (remainingBad / allowedBad) * 100,
  };
}

/**
 * How many times faster than "exactly on budget" the window burns: its bad ratio over the allowed bad
 * ratio. 1 spends the whole budget in exactly one SLO window. null without events.
 */
export function burnRate(counts: EventCounts, allowedBadRatio: number): number | null {
  if (counts.total <= 0) return null;
  const badRatio = counts.bad / counts.total;
  if (allowedBadRatio <= 0) return badRatio > 0 ? Infinity : 0;
  return badRatio / allowedBadRatio;
}

/** Share of the whole window's budget (percent) spent by burning at `burnRate` for `durationSeconds`. */
export function budgetConsumedPercentAtBurnRate(
  burnRate: number,
  durationSeconds: number,
  sloWindowSeconds: number,
): number {
  return ((burnRate * durationSeconds) / sloWindowSeconds) * 100;
}

/**
 * Seconds until the budget is gone if the current burn rate holds, the traffic stays steady and nothing
 * ages out of the rolling window (a pessimistic forecast). 0 when already exhausted; null when not burning
 * or unknown.
 */
export function secondsToExhaustion(
  remainingPercent: number | null,
  burnRate: number | null,
  sloWindowSeconds: number,
): number | null {
  if (remainingPercent === null || burnRate === null || !(burnRate > 0)) return null;
  if (remainingPercent <= 0) return 0;
  if (burnRate === Infinity) return 0;
  return ((remainingPercent / 100) * sloWindowSeconds) / burnRate;
}

/**
 * How long an outage of `errorRatio` (1 = every request fails) takes to push a window's burn rate to
 * `thresholdBurnRate`, when the window was full of good traffic before it started and the traffic is
 * steady. null when the outage is too mild ever to reach it. SRE workbook: 1 h × 14.4 × 0.001 = 51.84 s.
 */
export function secondsToReachBurnRate(
  windowSeconds: number,
  thresholdBurnRate: number,
  allowedBadRatio: number,
  errorRatio: number,
): number | null {
  if (!(errorRatio > 0)) return null;
  const seconds = (windowSeconds * thresholdBurnRate * allowedBadRatio) / errorRatio;
  return seconds <= windowSeconds ? seconds : null;
}
