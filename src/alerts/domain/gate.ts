/**
 * The deploy gate: should a rollout of this workload go ahead? Pure: what each SLO says now in, a verdict out.
 * A rollout stops while an SLO pages (the service is burning its budget fast right now) or when an SLO's budget
 * left is below the threshold (the month's reliability is spent; only fixes should ship).
 */
export interface GateInput {
  slo: string;
  /** The SLO's evaluated status ('ok', 'ticket', 'page', 'noData', 'stale', 'error', ...). */
  status: string;
  /** Budget left in percent of the window's budget; null when unknown (no events yet). */
  remainingPercent: number | null;
  /** The severity of the SLO's firing alert, if one fires. */
  firingSeverity: 'page' | 'ticket' | null;
  firingSince: string | null;
}

export interface GateOptions {
  /** Stop when less than this share of the budget is left, in percent (0 stops only when overspent). */
  minBudgetPercent: number;
  /** What an SLO that cannot say anything (no data, stale, evaluation error) does to the verdict. */
  onUnknown: 'proceed' | 'halt';
}

export interface GateReason {
  slo: string;
  /** Whether this reason stops the rollout. */
  blocking: boolean;
  reason: string;
}

export interface GateVerdict {
  proceed: boolean;
  reasons: GateReason[];
}

const UNKNOWN_STATUSES = new Set(['noData', 'stale', 'error']);

export function gateVerdict(slos: readonly GateInput[], options: GateOptions): GateVerdict {
  const reasons: GateReason[] = [];
  for (const slo of slos) {
    if (slo.firingSeverity === 'page') {
      reasons.push({
        slo: slo.slo,
        blocking: true,
        reason: `a page alert has been firing since ${slo.firingSince ?? 'now'}: the budget is burning fast`,
      });
    }
    if (slo.remainingPercent !== null && slo.remainingPercent < options.minBudgetPercent) {
      reasons.push({
        slo: slo.slo,
        blocking: true,
        reason:
          slo.remainingPercent < 0
            ? `the error budget is overspent (${round(slo.remainingPercent)} % left)`
            : `${round(slo.remainingPercent)} % of the error budget is left, below the gate's ${options.minBudgetPercent} %`,
      });
    }
    if (UNKNOWN_STATUSES.has(slo.status) || slo.remainingPercent === null) {
      reasons.push({
        slo: slo.slo,
        blocking: options.onUnknown === 'halt',
        reason: `the budget is unknown (status ${slo.status})${options.onUnknown === 'halt' ? '' : '; proceeding because onUnknown=proceed'}`,
      });
    }
  }
  if (slos.length === 0) {
    reasons.push({
      slo: '',
      blocking: options.onUnknown === 'halt',
      reason: 'no SLO covers this workload, so nothing speaks against the rollout — or for it',
    });
  }
  return { proceed: !reasons.some((r) => r.blocking), reasons };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}
