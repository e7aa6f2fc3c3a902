import { formatDuration, parseDurationSeconds } from '../../slo/domain/duration.js';

export type Severity = 'page' | 'ticket';

/** One multi-window tier: fire when both windows burn faster than `burnRate`. */
export interface BurnRateWindow {
  severity: Severity;
  longWindowSeconds: number;
  shortWindowSeconds: number;
  burnRate: number;
}

interface BudgetShareTier {
  severity: Severity;
  /** Share of the whole SLO window's error budget that this tier tolerates spending within `longWindow`. */
  budgetSpentPercent: number;
  longWindow: string;
}

/**
 * The SRE workbook's multi-window, multi-burn-rate policy (chapter 5, "Alerting on SLOs", table 5-8),
 * expressed as budget shares so that any SLO window gets the factors the same shares imply.
 * The short window is a twelfth of the long one, as in the workbook.
 */
export const DEFAULT_BUDGET_SHARE_TIERS: readonly BudgetShareTier[] = [
  { severity: 'page', budgetSpentPercent: 2, longWindow: '1h' }, // 30d SLO: 14.4× — budget gone in ~2 days
  { severity: 'page', budgetSpentPercent: 5, longWindow: '6h' }, // 30d SLO: 6× — budget gone in 5 days
  { severity: 'ticket', budgetSpentPercent: 10, longWindow: '1d' }, // 30d SLO: 3× — budget gone in 10 days
  { severity: 'ticket', budgetSpentPercent: 10, longWindow: '3d' }, // 30d SLO: 1× — on course to spend it all
];

const SHORT_WINDOW_DIVISOR = 12;

/** factor = budgetShare × sloWindow / longWindow (SRE workbook); tiers longer than the SLO window are left out. */
export function defaultBurnRateWindows(sloWindowSeconds: number): BurnRateWindow[] {
  return DEFAULT_BUDGET_SHARE_TIERS.flatMap((tier) => {
    const longWindowSeconds = parseDurationSeconds(tier.longWindow)!;
    if (longWindowSeconds > sloWindowSeconds) return [];
    return [
      {
        severity: tier.severity,
        longWindowSeconds,
        shortWindowSeconds: longWindowSeconds / SHORT_WINDOW_DIVISOR,
        burnRate: roundFactor((tier.budgetSpentPercent / 100) * (sloWindowSeconds / longWindowSeconds)),
      },
    ];
  });
}

/** Share of the budget (percent) a tier consumes when it burns at its threshold for its whole long window. */
export function budgetSpentPercentAtThreshold(window: BurnRateWindow, sloWindowSeconds: number): number {
  return Math.round((window.burnRate * window.longWindowSeconds * 100 * 100) / sloWindowSeconds) / 100;
}

function roundFactor(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** The API's shape of a tier: durations as text. */
export interface BurnRateWindowView {
  severity: Severity;
  longWindow: string;
  shortWindow: string;
  burnRate: number;
}

export function toWindowView(window: BurnRateWindow): BurnRateWindowView {
  return {
    severity: window.severity,
    longWindow: formatDuration(window.longWindowSeconds),
    shortWindow: formatDuration(window.shortWindowSeconds),
    burnRate: window.burnRate,
  };
}
