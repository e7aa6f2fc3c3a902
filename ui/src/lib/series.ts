import type { Timeseries } from '../api/types.js';

/**
 * Server series → uPlot's columnar data. The server computes every number; these only pick columns, add the
 * constant reference lines and keep nulls (gaps in the data are drawn as gaps, never as zero).
 */

export type Column = (number | null)[];
export type Aligned = [number[], ...Column[]];

export function budgetData(ts: Timeseries): Aligned {
  return [ts.timestamps, ts.budgetRemainingPercent];
}

export function sliData(ts: Timeseries, objective: number): Aligned {
  return [ts.timestamps, ts.sliPercent, ts.timestamps.map(() => objective)];
}

export interface BurnRateChart {
  key: string;
  title: string;
  severity: 'page' | 'ticket';
  threshold: number;
  data: Aligned;
}

/** One small chart per alert window: its burn rate and the threshold it alerts at. */
export function burnRateCharts(ts: Timeseries): BurnRateChart[] {
  return ts.burnRates.map((rate) => ({
    key: `${rate.severity}-${rate.window}`,
    title: `${rate.window} window (${rate.severity})`,
    severity: rate.severity,
    threshold: rate.threshold,
    data: [ts.timestamps, rate.values, ts.timestamps.map(() => rate.threshold)],
  }));
}

/** True when the range holds at least one measured point. */
export function hasData(ts: Timeseries): boolean {
  return ts.sliPercent.some((v) => v !== null) || ts.budgetRemainingPercent.some((v) => v !== null);
}

/** The SLI axis: from a little under the lowest value (or the objective) to 100, so the objective line shows. */
export function sliRange(values: Column, objective: number): [number, number] {
  let low = objective;
  for (const v of values) if (v !== null && v < low) low = v;
  const span = Math.max(100 - low, 0.01);
  return [Math.max(0, low - span * 0.1), 100];
}

/** The budget axis always shows zero (the line between green and red) and 100 % at the top. */
export function budgetRange(values: Column): [number, number] {
  let low = 0;
  let high = 100;
  for (const v of values) {
    if (v === null) continue;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return [low === 0 ? 0 : low - (high - low) * 0.05, high];
}

/** Where zero sits in a gradient spanning the plot from top to bottom (0 = top, 1 = bottom), clamped. */
export function zeroStop(plotTop: number, plotHeight: number, zeroY: number): number {
  if (plotHeight <= 0) return 1;
  return Math.min(1, Math.max(0, (zeroY - plotTop) / plotHeight));
}

/** The burn-rate axis: up to a bit above the higher of the threshold and the highest rate. */
export function burnRange(values: Column, threshold: number): [number, number] {
  let high = threshold;
  for (const v of values) if (v !== null && v > high) high = v;
  return [0, high * 1.15];
}
