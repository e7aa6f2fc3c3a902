import type { Severity } from './alert-policy.js';

/**
 * Compliance reports: how an SLO did over a calendar period (a month, an ISO week, a quarter). Pure: counts, alert
 * transitions and the clock come in; the numbers a report shows go out.
 */

export interface ReportPeriod {
  startMs: number;
  endMs: number;
}

export interface ComplianceInput {
  /** Percent, e.g. 99.9. */
  objective: number;
  budgetingMethod: 'occurrences' | 'timeslices';
  /** Events (or slices) per minute (slices: keyed by their first minute) within the period, corrections left out. */
  byMinute: ReadonlyMap<number, { total: number; bad: number }>;
  /** Timeslices: the slices of the whole period, corrected ones left out (the budget's size). */
  slicesInPeriod?: number;
}

export interface Compliance {
  /** Good share of the events (or slices with data) so far; null without any. */
  achievedPercent: number | null;
  /** Whether the achieved SLI is at or above the objective; null without data. */
  met: boolean | null;
  total: number;
  bad: number;
  /** Bad events (or slices) the budget allows. */
  allowedBad: number;
  /** Share of the budget spent; over 100 when overspent; null when there is no budget to speak of. */
  budgetConsumedPercent: number | null;
  /** Budget left at the end of each day of the period (until `untilMs`), as the budget stood that day. */
  burnDown: { at: string; remainingPercent: number | null }[];
}

const DAY_MS = 86_400_000;

/**
 * The period's SLI and budget up to `untilMs` (now, or the period's end). Occurrences budget a share of the
 * events seen so far, so each day of the burn-down is judged by the events up to that day; timeslices budget every
 * slice of the period from its first day.
 */
export function compliance(input: ComplianceInput, period: ReportPeriod, untilMs: number): Compliance {
  const allowedBadRatio = Math.round(((100 - input.objective) / 100) * 1e9) / 1e9;
  const endMs = Math.min(untilMs, period.endMs);
  const minutes = [...input.byMinute.entries()]
    .filter(([minute]) => minute * 60_000 >= period.startMs && minute * 60_000 < endMs)
    .sort((a, b) => a[0] - b[0]);
  const allowedOf = (total: number) =>
    input.budgetingMethod === 'timeslices'
      ? (input.slicesInPeriod ?? 0) * allowedBadRatio
      : total * allowedBadRatio;

  const burnDown: Compliance['burnDown'] = [];
  let total = 0;
  let bad = 0;
  let i = 0;
  for (let dayEnd = period.startMs + DAY_MS; dayEnd - DAY_MS < endMs; dayEnd += DAY_MS) {
    const cut = Math.min(dayEnd, endMs);
    while (i < minutes.length && minutes[i]![0] * 60_000 < cut) {
      total += minutes[i]![1].total;
      bad += minutes[i]![1].bad;
      i++;
    }
    burnDown.push({
      at: new Date(cut).toISOString(),
      remainingPercent: remainingPercent(allowedOf(total), bad, total),
    });
  }
  const allowedBad = allowedOf(total);
  const remaining = remainingPercent(allowedBad, bad, total);
  const achieved = total > 0 ? (1 - bad / total) * 100 : null;
  return {
    achievedPercent: achieved === null ? null : round(achieved, 6),
    met: achieved === null ? null : achieved >= input.objective - 1e-9,
    // Hours read from rollups are spread in fractional shares: adding them back up leaves float artefacts.
    total: round(total, 6),
    bad: round(bad, 6),
    allowedBad: round(allowedBad, 3),
    budgetConsumedPercent: remaining === null ? null : round(100 - remaining, 4),
    burnDown,
  };
}

function remainingPercent(allowedBad: number, bad: number, total: number): number | null {
  if (total <= 0 || allowedBad <= 0) return null;
  return round(((allowedBad - bad) / allowedBad) * 100, 4);
}

/** One alert's life, from its transitions (fired, escalated, resolved) in order. */
export interface AlertHistory {
  transitions: { kind: 'fired' | 'escalated' | 'resolved'; severity: Severity; atMs: number }[];
}

export interface SeveritySegment {
  severity: Severity;
  startMs: number;
  endMs: number;
}

/** The stretches of time an alert spent at each severity; an alert still firing runs until `nowMs`. */
export function severitySegments(alert: AlertHistory, nowMs: number): SeveritySegment[] {
  const segments: SeveritySegment[] = [];
  let open: { severity: Severity; startMs: number } | null = null;
  for (const t of alert.transitions) {
    if (open) segments.push({ severity: open.severity, startMs: open.startMs, endMs: t.atMs });
    open =
      t.kind === 'resolved'
        ? null
        : { severity: t.kind === 'escalated' ? 'page' : t.severity, startMs: t.atMs };
  }
  if (open && nowMs > open.startMs)
    segments.push({ severity: open.severity, startMs: open.startMs, endMs: nowMs });
  return segments.filter((s) => s.endMs > s.startMs);
}

/**
 * Seconds within the period spent burning at page and at ticket severity. Overlapping alerts count once, and a
 * ticket counts only while no page fires.
 */
export function timeBurning(
  alerts: readonly AlertHistory[],
  period: ReportPeriod,
  nowMs: number,
): { pageSeconds: number; ticketSeconds: number } {
  const segments = alerts.flatMap((a) => severitySegments(a, Math.min(nowMs, period.endMs)));
  const clip = (s: SeveritySegment) => ({
    startMs: Math.max(s.startMs, period.startMs),
    endMs: Math.min(s.endMs, period.endMs),
  });
  const page = union(segments.filter((s) => s.severity === 'page').map(clip));
  const burning = union(segments.map(clip));
  const pageMs = length(page);
  return {
    pageSeconds: Math.round(pageMs / 1000),
    ticketSeconds: Math.round((length(burning) - pageMs) / 1000),
  };
}

function union(ranges: ReportPeriod[]): ReportPeriod[] {
  const sorted = ranges.filter((r) => r.endMs > r.startMs).sort((a, b) => a.startMs - b.startMs);
  const merged: ReportPeriod[] = [];
  for (const r of sorted) {
    const last = merged[merged.length - 1];
    if (last && r.startMs <= last.endMs) last.endMs = Math.max(last.endMs, r.endMs);
    else merged.push({ ...r });
  }
  return merged;
}

function length(ranges: ReportPeriod[]): number {
  return ranges.reduce((sum, r) => sum + r.endMs - r.startMs, 0);
}

function round(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
}
