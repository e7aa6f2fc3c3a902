import { burnRate, secondsToExhaustion } from '../../slo/domain/budget.js';
import { formatDuration } from '../../slo/domain/duration.js';
import { SloSpec, allowedBadRatio, windowSeconds } from '../../slo/domain/slo.js';
import type { BurnRateWindow, Severity } from '../domain/alert-policy.js';
import type { AlertChange, AlertSnapshot } from '../domain/alert-transition.js';
import type { WindowCounts } from './minute-counts.js';

export type SloStatus = 'ok' | 'ticket' | 'page' | 'noData';

export interface WindowEvaluation {
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
  longJudged: boolean;
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
  burnRates: WindowEvaluation[];
  /** No window fires, and none lacks recent data while its long window has some: an alert may resolve. */
  resolvable: boolean;
  forecast: { burnRate: number | null; exhaustionAt: string | null; secondsToExhaustion: number | null };
  lastDataMinute: number | null;
}

export type SumMinutes = (fromMinute: number, toMinute: number) => WindowCounts;

/**
 * Evaluates one SLO at `nowMinute` (the current, partial minute is included): SLI and budget over the SLO window,
 * burn rate over every alert window, and the resulting status. Windows with fewer than `minEvents` events are
 * not judged, so a trickle of traffic cannot page; with no window judged the status is noData.
 */
export function evaluateSlo(
  spec: SloSpec,
  windows: BurnRateWindow[],
  sum: SumMinutes,
  nowMinute: number,
  minEvents: number,
  lastDataMinute: number | null,
): SloEvaluation {
  const allowedBad = allowedBadRatio(spec);
  const end = nowMinute + 1;
  const windowMinutes = windowSeconds(spec) / 60;
  const whole = sum(end - windowMinutes, end);
  const budgetEvents = whole.total * allowedBad;
  const remaining = budgetEvents - whole.bad;

  const burnRates = windows.map((w): WindowEvaluation => {
    const long = sum(end - w.longWindowSeconds / 60, end);
    const short = sum(end - w.shortWindowSeconds / 60, end);
    const longRate = burnRate(long, allowedBad);
    const shortRate = burnRate(short, allowedBad);
    const longJudged = long.total >= Math.max(1, minEvents);
    const judged = longJudged && short.total >= Math.max(1, minEvents);
    return {
      severity: w.severity,
      longWindow: formatDuration(w.longWindowSeconds),
      shortWindow: formatDuration(w.shortWindowSeconds),
      threshold: w.burnRate,
      long: round(longRate),
      short: round(shortRate),
      longEvents: long.total,
      shortEvents: short.total,
      judged,
      longJudged,
      firing: judged && longRate! >= w.burnRate && shortRate! >= w.burnRate,
    };
  });

  const status: SloStatus = burnRates.some((w) => w.firing && w.severity === 'page')
    ? 'page'
    : burnRates.some((w) => w.firing)
      ? 'ticket'
      : burnRates.some((w) => w.longJudged) || (windows.length === 0 && whole.total > 0)
        ? 'ok'
        : 'noData';
  // A sensor that went quiet leaves the long windows full and the short ones empty: that is no reason to resolve.
  const resolvable = status === 'ok' && burnRates.every((w) => !w.longJudged || w.judged);

  // Forecast at the burn rate of the shortest long window (1h by default).
  const forecastWindow = [...windows].sort((a, b) => a.longWindowSeconds - b.longWindowSeconds)[0];
  const forecastRate = forecastWindow
    ? burnRate(sum(end - forecastWindow.longWindowSeconds / 60, end), allowedBad)
    : burnRate(whole, allowedBad);
  const remainingFraction = budgetEvents > 0 ? remaining / budgetEvents : null;
  const exhaustionSeconds = secondsToExhaustion(
    remainingFraction === null ? null : remainingFraction * 100,
    forecastRate,
    windowSeconds(spec),
  );
  const secondsLeft = exhaustionSeconds === null ? null : Math.round(exhaustionSeconds);
  const nowSeconds = nowMinute * 60;
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
    resolvable,
    forecast: {
      burnRate: round(forecastRate),
      secondsToExhaustion: secondsLeft,
      exhaustionAt: secondsLeft === null ? null : new Date((nowSeconds + secondsLeft) * 1000).toISOString(),
    },
    lastDataMinute,
  };
}

/**
 * The alert state machine: noData never moves an alert; a page outranks a ticket (a ticket is escalated, a page is
 * not de-escalated until it resolves); an alert resolves when no window fires and none is missing recent data.
 */
export function nextChange(
  current: { severity: Severity } | null,
  evaluation: SloEvaluation,
): AlertChange | null {
  if (evaluation.status === 'noData') return null;
  if (current === null) {
    if (evaluation.status === 'page' || evaluation.status === 'ticket')
      return { kind: 'fired', severity: evaluation.status };
    return null;
  }
  if (evaluation.status === 'page' && current.severity === 'ticket')
    return { kind: 'escalated', severity: 'page' };
  if (evaluation.status === 'ok' && evaluation.resolvable) return { kind: 'resolved' };
  return null;
}

export function snapshotOf(spec: SloSpec, evaluation: SloEvaluation): AlertSnapshot {
  return {
    sliPercent: evaluation.sli.percent,
    objective: spec.objective,
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
  };
}

function round(value: number | null, decimals = 4): number | null {
  if (value === null) return null;
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
