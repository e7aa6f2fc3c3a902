import {
  AlertingPolicy,
  BurnRateWindow,
  BurnRateWindowView,
  defaultAlertingPolicy,
} from '../../alerts/domain/alert-policy.js';
import { CalendarWindow, Period, calendarPeriodAt } from './calendar-window.js';
import { describeDuration, parseDurationSeconds } from './duration.js';
import type { GrpcStatusName } from './grpc-status.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface ErrorRateIndicator {
  type: 'errorRate';
  /** Which statuses count as errors: "5xx" (default), "4xx,5xx", or explicit codes such as "500,503,429". */
  errorStatus: string;
  /**
   * For gRPC calls (series with a `grpc-status`), which codes count as errors instead of `errorStatus`; absent:
   * DEFAULT_GRPC_ERROR_CODES (UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS).
   */
  grpcErrorCodes?: GrpcStatusName[];
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
  /** A rolling window ("28d"), or a calendar week, month or quarter in a time zone (the budget resets at its start). */
  window: string | CalendarWindow;
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

/**
 * The window's length for alerting tiers and defaults: a rolling window's own, or a calendar period's nominal one
 * (week 7 d, month 30 d, quarter 90 d; burn-rate tiers stay rolling, so a calendar month alerts like a 30 d SLO).
 */
export function windowSeconds(spec: Pick<SloSpec, 'window'>): number {
  if (typeof spec.window === 'string') return parseDurationSeconds(spec.window)!;
  return NOMINAL_CALENDAR_DAYS[spec.window.calendar] * 86_400;
}

/** The longest a window can be: what the engine must keep in memory and load at start (a quarter: 92 days). */
export function longestWindowSeconds(spec: Pick<SloSpec, 'window'>): number {
  if (typeof spec.window === 'string') return parseDurationSeconds(spec.window)!;
  return LONGEST_CALENDAR_DAYS[spec.window.calendar] * 86_400;
}

const NOMINAL_CALENDAR_DAYS = { week: 7, month: 30, quarter: 90 } as const;
const LONGEST_CALENDAR_DAYS = { week: 7, month: 31, quarter: 92 } as const;

/**
 * The stretch the SLI and the budget cover at `atMs`: the rolling window ending then, or the calendar period
 * that contains it (from its start, so the budget resets at midnight of the first day in its time zone).
 */
export function budgetPeriodAt(spec: Pick<SloSpec, 'window'>, atMs: number): Period & { calendar: boolean } {
  if (typeof spec.window === 'string') {
    return { startMs: atMs - windowSeconds(spec) * 1000, endMs: atMs, calendar: false };
  }
  return { ...calendarPeriodAt(atMs, spec.window), calendar: true };
}

/** "28d", or "month (Europe/Berlin)": the window in a few words. */
export function describeWindow(window: SloSpec['window']): string {
  return typeof window === 'string' ? window : `calendar ${window.calendar} (${window.timeZone})`;
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
  const window =
    typeof spec.window === 'string'
      ? `over ${describeDuration(windowSeconds(spec))}`
      : `per calendar ${spec.window.calendar} (${spec.window.timeZone})`;
  if (spec.budgetingMethod === 'timeslices') {
    const slice = describeDuration(parseDurationSeconds(spec.timeslice!)!);
    const badSliceSeconds = Math.round((windowSeconds(spec) * (100 - spec.objective)) / 100);
    const about = typeof spec.window === 'string' ? '' : 'about ';
    return `${percent} % of ${slice} slices ${window} may be bad (${about}${describeDuration(badSliceSeconds)}), a slice being bad when ${describeBadSlice(spec)}`;
  }
  return `${percent} % of requests ${window} may ${describeBadEvent(spec.indicator)}`;
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
