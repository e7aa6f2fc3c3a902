import type { SloSpec } from './slo.js';
import { parseDurationSeconds } from './duration.js';
import { addOnCommonBounds, fromBucketCounts, latencySliceVerdict } from './latency.js';
import { ratioSliceVerdict } from './timeslices.js';

/** What one timeslice holds: its requests, the bad ones, and (for a percentile SLI) a merged histogram. */
export interface SliceData {
  total: number;
  bad: number;
  bounds?: readonly number[];
  /** Per-bucket counts matching `bounds`, +Inf last. */
  buckets?: number[];
}

export function timesliceMinutes(spec: SloSpec): number {
  return parseDurationSeconds(spec.timeslice ?? '1m')! / 60;
}

/** A slice is good when its P-percentile is within the threshold, or (error rate) enough of its requests are good. */
export function isBadSlice(spec: SloSpec, slice: SliceData): boolean {
  const indicator = spec.indicator;
  if (indicator.type === 'latency' && indicator.percentile !== undefined && slice.bounds && slice.buckets) {
    const histogram = fromBucketCounts(slice.bounds, slice.buckets);
    return latencySliceVerdict(histogram, indicator.percentile / 100, indicator.thresholdMs / 1000) === 'bad';
  }
  return ratioSliceVerdict(slice, (spec.timesliceTarget ?? spec.objective) / 100) === 'bad';
}

/**
 * Adds one series-minute to a slice accumulator, merging histograms; series with other bounds (an exact threshold
 * as one more bound, another sensor's buckets) are added on the bounds they share.
 */
export function addToSlice(
  target: SliceData,
  requests: number,
  bad: number,
  bounds: readonly number[],
  buckets: readonly number[],
  keepHistogram: boolean,
): void {
  target.total += requests;
  target.bad += bad;
  if (!keepHistogram) return;
  if (!target.bounds) {
    target.bounds = bounds;
    target.buckets = [...buckets];
  } else if (sameBounds(target.bounds, bounds)) {
    buckets.forEach((n, i) => (target.buckets![i] = (target.buckets![i] ?? 0) + n));
  } else {
    const merged = addOnCommonBounds(
      { bounds: target.bounds, buckets: target.buckets! },
      { bounds, buckets },
    );
    target.bounds = merged.bounds;
    target.buckets = merged.buckets;
  }
}

/**
 * Classifies the slices that start at `sliceStarts` from per-minute data: { total: 1, bad: 0 | 1 } for a slice
 * with requests, { total: 0, bad: 0 } for an empty one (no data is neither good nor bad).
 */
export function classifySlices(
  spec: SloSpec,
  minutes: Map<number, SliceData>,
  sliceStarts: Iterable<number>,
): Map<number, { total: number; bad: number }> {
  const size = timesliceMinutes(spec);
  const keepHistogram = spec.indicator.type === 'latency' && spec.indicator.percentile !== undefined;
  const result = new Map<number, { total: number; bad: number }>();
  for (const start of sliceStarts) {
    const slice: SliceData = { total: 0, bad: 0 };
    for (let minute = start; minute < start + size; minute++) {
      const data = minutes.get(minute);
      if (data)
        addToSlice(
          slice,
          data.total,
          data.bad,
          data.bounds ?? [],
          data.buckets ?? [],
          keepHistogram && data.bounds !== undefined,
        );
    }
    result.set(
      start,
      slice.total === 0 ? { total: 0, bad: 0 } : { total: 1, bad: isBadSlice(spec, slice) ? 1 : 0 },
    );
  }
  return result;
}

export function sliceStartOf(minute: number, sliceMinutes: number): number {
  return Math.floor(minute / sliceMinutes) * sliceMinutes;
}

function sameBounds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((bound, i) => bound === b[i]);
}
