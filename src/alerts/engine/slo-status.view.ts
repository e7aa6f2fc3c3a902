/** Wire shapes of the API, shared with the UI (ui/src/api/types.ts): no Nest or TypeORM here, so both compile it. */
import type { SloSpec } from '../../slo/domain/slo.js';
import type { AlertView } from '../alert.view.js';
import type { SloEvaluation } from '../domain/evaluate.js';

export interface SloStatusView extends Omit<SloEvaluation, 'sli' | 'lastDataMinute'> {
  slo: string;
  team: string | null;
  namespace: string | null;
  workload: string;
  objective: number;
  window: SloSpec['window'];
  /** A calendar window's current budget period (the budget reset at `from`); null for a rolling window. */
  budgetPeriod: { from: string; to: string } | null;
  sli: SloEvaluation['sli'] & { approximate: boolean };
  alerts: AlertView[];
  dataFreshness: { lastDataAt: string | null; ageSeconds: number | null };
  evaluatedAt: string;
}

/**
 * What the SLO list shows of each status (`GET /api/v1/slo-statuses?view=summary`): a subset of SloStatusView
 * with the same names and shapes, so that a client reading the summary reads the full view unchanged.
 */
export interface SloStatusSummary {
  slo: string;
  team: string | null;
  namespace: string | null;
  workload: string;
  status: SloStatusView['status'];
  objective: number;
  window: SloSpec['window'];
  sli: Pick<SloStatusView['sli'], 'percent' | 'approximate'>;
  errorBudget: Pick<SloStatusView['errorBudget'], 'remainingPercent'>;
  burnRates: Pick<SloStatusView['burnRates'][number], 'severity' | 'longWindow' | 'threshold' | 'long'>[];
  forecast: Pick<SloStatusView['forecast'], 'exhaustionAt' | 'secondsToExhaustion'>;
  alerts: Pick<AlertView, 'id' | 'severity' | 'state' | 'startedAt'>[];
  staleSince: string | null;
  error: SloStatusView['error'];
  evaluatedAt: string;
}
