import type { SloWindow } from '../api/types.js';
/** The SLO page's time ranges: the whole SLO window (the default, for the burn-down) or a recent slice of it. */

export interface RangeChoice {
  key: string;
  label: string;
  /** null: the SLO's whole window. */
  seconds: number | null;
}

export const RANGES: readonly RangeChoice[] = [
  { key: 'window', label: 'Whole window', seconds: null },
  { key: '7d', label: '7 days', seconds: 7 * 86_400 },
  { key: '1d', label: '24 hours', seconds: 86_400 },
  { key: '6h', label: '6 hours', seconds: 6 * 3_600 },
  { key: '1h', label: '1 hour', seconds: 3_600 },
];

/** About this many points per chart: enough for a laptop-wide chart, few enough to stay fast. */
export const TARGET_POINTS = 360;

const NICE_STEPS = [60, 120, 300, 600, 900, 1_800, 3_600, 7_200, 10_800, 21_600, 43_200, 86_400];

/** The smallest whole-minute step that keeps a range under TARGET_POINTS points (the data is per minute). */
export function stepFor(rangeSeconds: number): number {
  const wanted = rangeSeconds / TARGET_POINTS;
  return NICE_STEPS.find((step) => step >= wanted) ?? NICE_STEPS[NICE_STEPS.length - 1]!;
}

/** from/to in epoch seconds, aligned to the step so that refreshes hit the same buckets. */
export function resolveRange(
  key: string,
  windowSeconds: number,
  nowSeconds: number,
): { key: string; from: number; to: number; step: number } {
  const choice = RANGES.find((r) => r.key === key) ?? RANGES[0]!;
  const seconds = Math.min(choice.seconds ?? windowSeconds, windowSeconds);
  const step = stepFor(seconds);
  const to = Math.ceil(nowSeconds / step) * step;
  return { key: choice.key, from: to - seconds, to, step };
}

/** A rolling window's length, or a calendar window's nominal one (week 7 d, month 30 d, quarter 90 d). */
export function windowLengthSeconds(window: SloWindow): number | null {
  if (typeof window === 'string') return parseWindow(window);
  return { week: 7, month: 30, quarter: 90 }[window.calendar] * 86_400;
}

/** "28d", or "calendar month (Europe/Berlin)": a window in a few words. */
export function describeWindow(window: SloWindow): string {
  if (typeof window === 'string') return window;
  return `calendar ${window.calendar} (${window.timeZone}${window.start ? `, from ${window.start}` : ''})`;
}

/** "28d", "30d", "1w", "12h" → seconds; null when unreadable. Mirrors the API's durations. */
export function parseWindow(text: string): number | null {
  const match = /^(\d+)([smhdw])$/.exec(text.trim());
  if (!match) return null;
  const unit = { s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800 }[match[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}
