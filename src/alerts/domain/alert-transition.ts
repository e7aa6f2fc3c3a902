import type { Severity } from './alert-policy.js';

export type AlertState = 'firing' | 'resolved';
export type TransitionKind = 'fired' | 'escalated' | 'resolved';

/** What a transition changes: a new alert, a ticket becoming a page, or the end of the alert. */
export type AlertChange =
  { kind: 'fired'; severity: Severity } | { kind: 'escalated'; severity: 'page' } | { kind: 'resolved' };

/** The numbers behind an evaluation, kept with every transition (what Slack and the UI show). */
export interface AlertSnapshot {
  /** Percent of good events (or slices) over the SLO window; null without data. */
  sliPercent: number | null;
  objective: number;
  budgetRemainingPercent: number | null;
  burnRates: {
    severity: Severity;
    longWindow: string;
    shortWindow: string;
    threshold: number;
    longBurnRate: number | null;
    shortBurnRate: number | null;
    firing: boolean;
  }[];
  /** When the budget runs out at the current burn rate; null when it does not. */
  exhaustionAt: string | null;
  /**
   * Whether the numbers are current: `stale` when the workload stopped reporting (since the end of its last
   * minute with data), `error` when the SLO could not be evaluated. Absent in snapshots stored before it existed.
   */
  dataState?:
    | { state: 'fresh'; since: null }
    | { state: 'stale'; since: string | null }
    | { state: 'error'; since: string; reason: string };
}
