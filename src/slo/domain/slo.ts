import {
  AlertingPolicy,
  BurnRateWindow,
  BurnRateWindowView,
  defaultAlertingPolicy,
} from '../../alerts/domain/alert-policy.js';
import { describeDuration, parseDurationSeconds } from './duration.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface ErrorRateIndicator {
  type: 'errorRate';
  /** Which statuses count as errors: "5xx" (default), "4xx,5xx", or explicit codes such as "500,503,429". */
  errorStatus: string;
}

export interface LatencyIndicator {
  type: 'latency';
  thresholdMs: number;
  /** With timeslices budgeting: a slice is good when this percentile of its requests is within the threshold. */
  percentile?: number;
}

/** Custom PromQL queries (only with a Prometheus source): good or bad events, over all events. */
export interface RatioIndicator {
  type: 'ratio';
  goodQuery?: string;
  badQuery?: string;
  totalQuery: string;
}

export type Indicator = ErrorRateIndicator | LatencyIndicator | RatioIndicator;

export type SliSource = { type: 'sensor' } | { type: 'prometheus' };

export interface SloService {
  namespace?: string;
  workload: string;
  route?: string;
  method?: HttpMethod;
}

export interface SloAlerting {
  /** Replaces the default policy; an empty list switches alerting off. */
  windows?: BurnRateWindowView[];
  /** Fewer events than this in a window and the window is not judged (keeps 1 failure in 10 from paging). */
  minEvents?: number;
}

/** An SLO as users write it: the API's and the database's shape (objective in percent, durations as text). */
export interface SloSpec {
  name: string;
  displayName?: string;
  description: string;
  team?: string;
  service: SloService;
  indicator: Indicator;
  objective: number;
  window: string;
  budgetingMethod: 'occurrences' | 'timeslices';
  timeslice?: string;
  /** Timeslices with an error-rate indicator: a slice is good when at least this percent of its requests are. */
  timesliceTarget?: number;
  alerting?: SloAlerting;
  notify?: { slackChannel?: string };
  source: SliSource;
}

export const DEFAULT_MIN_EVENTS = 20;

/** Ratio of events (or slices) allowed to be bad, e.g. 0.001 for 99.9. */
export function allowedBadRatio(spec: Pick<SloSpec, 'objective'>): number {
  return roundTo((100 - spec.objective) / 100, 9);
}

export function windowSeconds(spec: Pick<SloSpec, 'window'>): number {
  return parseDurationSeconds(spec.window)!;
}

export function effectiveBurnRateWindows(spec: SloSpec): BurnRateWindow[] {
  return effectiveAlertingPolicy(spec).windows;
}

/** The tiers an SLO alerts with: its own, or the defaults fitted to its window and objective (with notes). */
export function effectiveAlertingPolicy(spec: SloSpec): AlertingPolicy {
  if (spec.alerting?.windows === undefined)
    return defaultAlertingPolicy(windowSeconds(spec), allowedBadRatio(spec));
  return {
    windows: spec.alerting.windows.map((w) => ({
      severity: w.severity,
      longWindowSeconds: parseDurationSeconds(w.longWindow)!,
      shortWindowSeconds: parseDurationSeconds(w.shortWindow)!,
      burnRate: w.burnRate,
    })),
    notes: [],
  };
}

/** "0.1 % of requests over 28 d may fail": the budget in words. */
export function describeErrorBudget(spec: SloSpec): string {
  const percent = formatPercent(100 - spec.objective);
  const window = describeDuration(windowSeconds(spec));
  if (spec.budgetingMethod === 'timeslices') {
    const slice = describeDuration(parseDurationSeconds(spec.timeslice!)!);
    const badSliceSeconds = Math.round((windowSeconds(spec) * (100 - spec.objective)) / 100);
    return `${percent} % of ${slice} slices over ${window} may be bad (${describeDuration(badSliceSeconds)}), a slice being bad when ${describeBadSlice(spec)}`;
  }
  return `${percent} % of requests over ${window} may ${describeBadEvent(spec.indicator)}`;
}

function describeBadEvent(indicator: Indicator): string {
  switch (indicator.type) {
    case 'errorRate':
      return indicator.errorStatus === '5xx' ? 'fail' : `fail (status ${indicator.errorStatus})`;
    case 'latency':
      return `take longer than ${indicator.thresholdMs} ms`;
    case 'ratio':
      return 'be bad';
  }
}

function describeBadSlice(spec: SloSpec): string {
  const indicator = spec.indicator;
  switch (indicator.type) {
    case 'latency':
      return `its P${indicator.percentile} is above ${indicator.thresholdMs} ms`;
    case 'errorRate':
    case 'ratio':
      return `fewer than ${formatPercent(spec.timesliceTarget!)} % of its requests are good`;
  }
}

export function formatPercent(value: number): string {
  return String(roundTo(value, 4));
}

function roundTo(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
