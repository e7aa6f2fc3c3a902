import { formatDuration } from '../../slo/domain/duration.js';
import { SloSpec, allowedBadRatio, budgetPeriodAt, windowSeconds } from '../../slo/domain/slo.js';
import type { BurnRateWindow, Severity } from '../domain/alert-policy.js';

export interface SloTimeseries {
  from: string;
  to: string;
  stepSeconds: number;
  /** Epoch seconds of each point: the end of its step. */
  timestamps: number[];
  /** SLI over the SLO window ending at each point; null without events. */
  sliPercent: (number | null)[];
  budgetRemainingPercent: (number | null)[];
  burnRates: { severity: Severity; window: string; threshold: number; values: (number | null)[] }[];
  /** Events within each step. */
  requests: number[];
  bad: number[];
}

/**
 * Series for the UI, from per-minute counts (`minutes` maps minute → counts, holding at least
 * [fromMinute − SLO window, toMinute)). Prefix sums over the minutes that hold data, found by binary search, make
 * every window sum O(log n): the work follows the stored data and the points returned, never the length of the
 * range asked for (a range of decades costs what its few stored minutes cost).
 */
export function buildTimeseries(
  spec: SloSpec,
  windows: BurnRateWindow[],
  minutes: Map<number, { total: number; bad: number }>,
  fromMinute: number,
  toMinute: number,
  stepMinutes: number,
): SloTimeseries {
  const windowMinutes = windowSeconds(spec) / 60;
  // A calendar window's SLI and budget run from the start of the period each point lies in.
  const windowStart = (end: number) =>
    typeof spec.window === 'string'
      ? end - windowMinutes
      : Math.round(budgetPeriodAt(spec, end * 60_000 - 1).startMs / 60_000);
  const keys = Float64Array.from(minutes.keys()).sort();
  const totalPrefix = new Float64Array(keys.length + 1);
  const badPrefix = new Float64Array(keys.length + 1);
  keys.forEach((minute, i) => {
    const counts = minutes.get(minute)!;
    totalPrefix[i + 1] = totalPrefix[i]! + counts.total;
    badPrefix[i + 1] = badPrefix[i]! + counts.bad;
  });
  /** How many stored minutes lie before `minute`. */
  const before = (minute: number) => {
    let low = 0;
    let high = keys.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (keys[middle]! < minute) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const sum = (from: number, to: number) => {
    const a = before(from);
    const b = before(to);
    return { total: totalPrefix[b]! - totalPrefix[a]!, bad: badPrefix[b]! - badPrefix[a]! };
  };
  const allowedBad = allowedBadRatio(spec);
  const longWindows = [...new Map(windows.map((w) => [w.longWindowSeconds, w])).values()];
  const result: SloTimeseries = {
    from: new Date(fromMinute * 60_000).toISOString(),
    to: new Date(toMinute * 60_000).toISOString(),
    stepSeconds: stepMinutes * 60,
    timestamps: [],
    sliPercent: [],
    budgetRemainingPercent: [],
    burnRates: longWindows.map((w) => ({
      severity: w.severity,
      window: formatDuration(w.longWindowSeconds),
      threshold: w.burnRate,
      values: [],
    })),
    requests: [],
    bad: [],
  };
  for (let end = fromMinute + stepMinutes; end <= toMinute; end += stepMinutes) {
    const whole = sum(windowStart(end), end);
    const step = sum(end - stepMinutes, end);
    result.timestamps.push(end * 60);
    result.sliPercent.push(whole.total > 0 ? round((1 - whole.bad / whole.total) * 100) : null);
    const budget = whole.total * allowedBad;
    result.budgetRemainingPercent.push(budget > 0 ? round(((budget - whole.bad) / budget) * 100) : null);
    longWindows.forEach((w, i) => {
      const counts = sum(end - w.longWindowSeconds / 60, end);
      result.burnRates[i]!.values.push(
        counts.total > 0 ? round(counts.bad / counts.total / allowedBad) : null,
      );
    });
    result.requests.push(step.total);
    result.bad.push(step.bad);
  }
  return result;
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
