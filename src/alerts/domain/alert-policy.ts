import { formatDuration } from '../../slo/domain/duration.js';

export type Severity = 'page' | 'ticket';

/** One multi-window tier: fire when both windows burn faster than `burnRate`. */
export interface BurnRateWindow {
  severity: Severity;
  longWindowSeconds: number;
  shortWindowSeconds: number;
  burnRate: number;
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/** The window the SRE workbook's table is written for. */
export const WORKBOOK_SLO_WINDOW_SECONDS = 30 * DAY;

/**
 * The SRE workbook's multi-window, multi-burn-rate policy for a 30 d SLO (chapter 5, "Alerting on SLOs",
 * table 5-8). Other SLO windows keep these factors and scale the windows (see `defaultAlertingPolicy`).
 */
export const WORKBOOK_TIERS: readonly BurnRateWindow[] = [
  { severity: 'page', longWindowSeconds: HOUR, shortWindowSeconds: 5 * MINUTE, burnRate: 14.4 },
  { severity: 'page', longWindowSeconds: 6 * HOUR, shortWindowSeconds: 30 * MINUTE, burnRate: 6 },
  { severity: 'ticket', longWindowSeconds: DAY, shortWindowSeconds: 2 * HOUR, burnRate: 3 },
  { severity: 'ticket', longWindowSeconds: 3 * DAY, shortWindowSeconds: 6 * HOUR, burnRate: 1 },
];

/**
 * No default window is shorter than the workbook's shortest, 5 m: the engine counts whole minutes and includes the
 * current, partial one, so a 1 m window would often hold a few seconds of traffic (too few events to judge).
 */
export const MIN_WINDOW_SECONDS = 5 * MINUTE;

/** The policy an SLO alerts with, and what was changed from the workbook's table to fit it. */
export interface AlertingPolicy {
  windows: BurnRateWindow[];
  /** One sentence per tier that was scaled, capped or dropped; empty for a 30 d SLO at any reachable factor. */
  notes: string[];
}

/**
 * Default tiers for any SLO window (Pyrra's approach): the workbook's factors are kept and its windows are scaled
 * by `sloWindow / 30 d`, so every tier still spends the same share of the budget (2 %, 5 %, 10 %, 10 %) and no
 * tier ever alerts below 1× (below 1× the budget outlasts the window). Windows are rounded to whole minutes, with
 * five minutes as the floor; a tier that the floor makes identical to a gentler tier of its severity is dropped.
 * A factor above the highest burn rate the objective allows (`1 / allowedBadRatio`: every event bad) could never
 * fire: it is capped there, so a total outage still alerts.
 */
export function defaultAlertingPolicy(sloWindowSeconds: number, allowedBadRatio: number): AlertingPolicy {
  const scale = sloWindowSeconds / WORKBOOK_SLO_WINDOW_SECONDS;
  const notes: string[] = [];
  const maxRate = maxBurnRate(allowedBadRatio);
  const windows: BurnRateWindow[] = [];
  for (const tier of WORKBOOK_TIERS) {
    const longWindowSeconds = Math.max(MIN_WINDOW_SECONDS, roundToMinute(tier.longWindowSeconds * scale));
    const shortWindowSeconds = Math.min(
      longWindowSeconds,
      Math.max(MIN_WINDOW_SECONDS, roundToMinute(longWindowSeconds / 12)),
    );
    let burnRate = tier.burnRate;
    if (burnRate > maxRate * (1 + 1e-9)) {
      notes.push(
        `${tier.severity} ${tier.burnRate}× is unreachable at this objective (every event bad burns at ` +
          `${formatFactor(maxRate)}×): capped at ${formatFactor(maxRate)}×, so it fires only when every event is bad`,
      );
      burnRate = roundFactor(maxRate);
    }
    const duplicate = windows.find(
      (w) =>
        w.severity === tier.severity &&
        w.longWindowSeconds === longWindowSeconds &&
        w.shortWindowSeconds === shortWindowSeconds,
    );
    if (duplicate) {
      // Same windows, same severity: the gentler factor fires first, the steeper one would never add anything.
      const kept = Math.min(duplicate.burnRate, burnRate);
      const dropped = Math.max(duplicate.burnRate, burnRate);
      notes.push(
        `${tier.severity} ${dropped}× dropped: at a ${formatDuration(sloWindowSeconds)} window its windows ` +
          `shrink to ${formatDuration(longWindowSeconds)}/${formatDuration(shortWindowSeconds)}, the same as ` +
          `the ${kept}× ${tier.severity} tier, which fires first`,
      );
      duplicate.burnRate = Math.min(duplicate.burnRate, burnRate);
      continue;
    }
    windows.push({ severity: tier.severity, longWindowSeconds, shortWindowSeconds, burnRate });
  }
  if (scale !== 1) {
    notes.unshift(
      `windows scaled by ${formatFactor(scale)} from the SRE workbook's 30d table (factors kept), ` +
        'so each tier spends the same share of the budget',
    );
  }
  return { windows, notes };
}

/** The default tiers alone; see `defaultAlertingPolicy`. */
export function defaultBurnRateWindows(sloWindowSeconds: number, allowedBadRatio = 0.001): BurnRateWindow[] {
  return defaultAlertingPolicy(sloWindowSeconds, allowedBadRatio).windows;
}

/** The burn rate when every event is bad: no tier above it can fire. */
export function maxBurnRate(allowedBadRatio: number): number {
  return allowedBadRatio > 0 ? 1 / allowedBadRatio : Infinity;
}

/**
 * Why an explicit tier cannot be right, or null. Refused rather than accepted with a warning: a tier below 1×
 * pages while the SLO is met, one above the maximum never fires, and a warning in a response nobody reads
 * would leave either in production.
 */
export function tierProblem(burnRate: number, allowedBadRatio: number, objective: number): string | null {
  if (burnRate < 1 - 1e-9) {
    return `must be at least 1: below 1× the budget outlasts the window, so the tier would alert while the SLO is met`;
  }
  const maxRate = maxBurnRate(allowedBadRatio);
  if (burnRate > maxRate * (1 + 1e-9)) {
    return (
      `must be at most ${formatFactor(maxRate)}: at an objective of ${objective} % even every event failing ` +
      `burns at only ${formatFactor(maxRate)}×, so the tier could never fire`
    );
  }
  return null;
}

/** Share of the budget (percent) a tier consumes when it burns at its threshold for its whole long window. */
export function budgetSpentPercentAtThreshold(window: BurnRateWindow, sloWindowSeconds: number): number {
  return Math.round((window.burnRate * window.longWindowSeconds * 100 * 100) / sloWindowSeconds) / 100;
}

function roundToMinute(seconds: number): number {
  return Math.round(seconds / MINUTE) * MINUTE;
}

function roundFactor(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

function formatFactor(value: number): string {
  return String(Math.round(value * 1e4) / 1e4);
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
