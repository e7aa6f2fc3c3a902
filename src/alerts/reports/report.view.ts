/** Wire shapes of the API, shared with the UI (ui/src/api/types.ts): no Nest or TypeORM here, so both compile it. */
import type { Severity } from '../domain/alert-policy.js';
import type { Compliance } from '../domain/report.js';

export interface ReportIncident {
  alertId: string;
  severity: Severity;
  startedAt: string;
  resolvedAt: string | null;
  /** Deploys and other changes the correlation named as suspects, most likely first. */
  suspects: { kind: string; image?: string; digest?: string; at?: string; reason?: string }[];
}

export interface SloReport extends Omit<Compliance, 'burnDown'> {
  slo: string;
  displayName: string | null;
  team: string | null;
  namespace: string | null;
  workload: string;
  objective: number;
  budgetingMethod: 'occurrences' | 'timeslices';
  pageSeconds: number;
  ticketSeconds: number;
  incidents: ReportIncident[];
  corrections: { minutes: number; ranges: { from: string; to: string }[] };
  /**
   * How much of the period the numbers cover. `complete: false` when per-minute data before `dataFrom` was
   * pruned (BURNWATCH_RETENTION_DAYS), or for a Prometheus SLO (not stored here): the numbers then say less.
   */
  coverage: { dataFrom: string | null; complete: boolean; note: string | null };
  burnDown: Compliance['burnDown'];
}

export interface Report {
  period: string;
  calendar: 'week' | 'month' | 'quarter';
  timeZone: string;
  from: string;
  to: string;
  /** The numbers run until here: the period's end, or now for the current period. */
  until: string;
  team: string | null;
  items: SloReport[];
  generatedAt: string;
}
