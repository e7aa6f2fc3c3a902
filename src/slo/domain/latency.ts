/**
 * Latency from a cumulative, Prometheus-style histogram: `http_server_request_duration_seconds` buckets, each
 * counting the requests that took at most `le` seconds, in ascending order, the last one `le: Infinity`.
 *
 * Quantiles follow PromQL's `histogram_quantile`: linear interpolation inside the bucket, the first bucket
 * starting at 0, a quantile in the +Inf bucket reported as the highest finite bound, non-monotonic counts
 * (merging artefacts) raised to the running maximum.
 */

export interface HistogramBucket {
  /** Upper bound in seconds; the last bucket's is `Infinity`. */
  le: number;
  /** Requests that took at most `le` seconds (cumulative). */
  count: number;
}

export interface CountWithinThreshold {
  count: number;
  /** True when the threshold lies inside a bucket that holds requests: the count is interpolated. */
  approximate: boolean;
}

/** Relative tolerance when comparing a count with a rank: 0.55 × 100 is 55.00000000000001 in floating point. */
const RELATIVE_TOLERANCE = 1e-9;

/** Every request in the histogram (the +Inf bucket's count). */
export function histogramTotal(buckets: readonly HistogramBucket[]): number {
  checkShape(buckets);
  return monotonicCounts(buckets)[buckets.length - 1]!;
}

/**
 * Requests that took at most `thresholdSeconds`. Exact when the threshold is a bucket boundary (or falls in a
 * bucket without requests); otherwise interpolated linearly inside its bucket and marked approximate. Above
 * the highest finite boundary, the requests in the +Inf bucket count as slower (approximate: a lower bound).
 */
export function countWithinThreshold(
  buckets: readonly HistogramBucket[],
  thresholdSeconds: number,
): CountWithinThreshold {
  checkShape(buckets);
  if (Number.isNaN(thresholdSeconds)) throw new RangeError('the latency threshold is not a number');
  const counts = monotonicCounts(buckets);
  if (thresholdSeconds < 0) return { count: 0, approximate: false };
  const i = buckets.findIndex((b) => b.le >= thresholdSeconds);
  const upper = buckets[i]!;
  const upperCount = counts[i]!;
  if (upper.le === thresholdSeconds) return { count: upperCount, approximate: false };
  const lowerLe = i === 0 ? 0 : buckets[i - 1]!.le;
  const lowerCount = i === 0 ? 0 : counts[i - 1]!;
  if (upperCount === lowerCount || thresholdSeconds <= lowerLe)
    return { count: lowerCount, approximate: false };
  if (upper.le === Infinity) return { count: lowerCount, approximate: true };
  const share = (thresholdSeconds - lowerLe) / (upper.le - lowerLe);
  return { count: lowerCount + (upperCount - lowerCount) * share, approximate: true };
}

/**
 * Total and slow (bad) requests for a latency SLO: the histogram as event counts. `bad` is fractional when the
 * threshold is interpolated (rolling counts take fractions).
 */
export function latencyEventCounts(
  buckets: readonly HistogramBucket[],
  thresholdSeconds: number,
): { total: number; bad: number; approximate: boolean } {
  const total = histogramTotal(buckets);
  const within = countWithinThreshold(buckets, thresholdSeconds);
  return { total, bad: Math.max(0, total - within.count), approximate: within.approximate };
}

/**
 * The `quantile` (0 to 1: 0.95 for P95) in seconds, as PromQL's `histogram_quantile` computes it; null when the
 * histogram holds no requests.
 */
export function histogramQuantileSeconds(
  quantile: number,
  buckets: readonly HistogramBucket[],
): number | null {
  checkShape(buckets);
  if (!(quantile >= 0 && quantile <= 1))
    throw new RangeError(`a quantile is between 0 and 1, got ${quantile}`);
  const counts = monotonicCounts(buckets);
  const observations = counts[counts.length - 1]!;
  if (observations <= 0 || buckets.length < 2) return null;
  const rank = quantile * observations;
  let b = counts.findIndex((count, i) => i < buckets.length - 1 && count >= rank);
  if (b === -1) b = buckets.length - 1;
  if (b === buckets.length - 1) return buckets[buckets.length - 2]!.le;
  if (b === 0 && buckets[0]!.le <= 0) return buckets[0]!.le;
  const bucketStart = b === 0 ? 0 : buckets[b - 1]!.le;
  const previousCount = b === 0 ? 0 : counts[b - 1]!;
  const inBucket = counts[b]! - previousCount;
  // PromQL gives NaN for an empty first bucket at quantile 0; its lower bound is the honest answer.
  if (inBucket === 0) return bucketStart;
  return bucketStart + (buckets[b]!.le - bucketStart) * ((rank - previousCount) / inBucket);
}

/**
 * Whether a slice's `quantile` is within the threshold (`P95 ≤ 300 ms`): good, bad, or no data when it holds no
 * requests. Decided on counts, the inverse of `histogramQuantileSeconds`, so that a quantile in the +Inf bucket
 * is bad even when the highest finite bound is within the threshold.
 */
export function latencySliceVerdict(
  buckets: readonly HistogramBucket[],
  quantile: number,
  thresholdSeconds: number,
): 'good' | 'bad' | 'noData' {
  if (!(quantile >= 0 && quantile <= 1))
    throw new RangeError(`a quantile is between 0 and 1, got ${quantile}`);
  const total = histogramTotal(buckets);
  if (total <= 0) return 'noData';
  const within = countWithinThreshold(buckets, thresholdSeconds).count;
  return within >= quantile * total * (1 - RELATIVE_TOLERANCE) ? 'good' : 'bad';
}

/**
 * The cumulative histogram from finite bounds and per-bucket (not cumulative) counts, +Inf last: the shape of
 * a stored minute row (`bounds`, `buckets`).
 */
export function fromBucketCounts(bounds: readonly number[], perBucket: readonly number[]): HistogramBucket[] {
  if (perBucket.length !== bounds.length + 1) {
    throw new RangeError(`${bounds.length} bounds need ${bounds.length + 1} bucket counts (+Inf last)`);
  }
  let cumulative = 0;
  return perBucket.map((count, i) => ({
    le: i < bounds.length ? bounds[i]! : Infinity,
    count: (cumulative += count),
  }));
}

/** Adds histograms with the same bounds (minutes into a slice, pods into a workload). */
export function sumHistograms(histograms: readonly (readonly HistogramBucket[])[]): HistogramBucket[] {
  if (histograms.length === 0) return [{ le: Infinity, count: 0 }];
  const first = histograms[0]!;
  checkShape(first);
  const sums = first.map((b) => ({ le: b.le, count: 0 }));
  for (const histogram of histograms) {
    if (histogram.length !== sums.length || histogram.some((b, i) => b.le !== sums[i]!.le)) {
      throw new RangeError('histograms with different bucket bounds cannot be added');
    }
    histogram.forEach((b, i) => (sums[i]!.count += b.count));
  }
  return sums;
}

/**
 * Per-bucket counts of two histograms added on the bounds they share (+Inf last): a series stored with an exact
 * threshold as one more bound (docs/metrics.md) adds to one without it by merging the split bucket back.
 */
export function addOnCommonBounds(
  a: { bounds: readonly number[]; buckets: readonly number[] },
  b: { bounds: readonly number[]; buckets: readonly number[] },
): { bounds: number[]; buckets: number[] } {
  const bounds = a.bounds.filter((bound) => b.bounds.includes(bound));
  const onto = (h: { bounds: readonly number[]; buckets: readonly number[] }) => {
    const out = new Array<number>(bounds.length + 1).fill(0);
    let j = 0;
    h.buckets.forEach((count, i) => {
      const le = i < h.bounds.length ? h.bounds[i]! : Infinity;
      while (j < bounds.length && bounds[j]! < le) j++;
      out[j]! += count;
    });
    return out;
  };
  const sa = onto(a);
  const sb = onto(b);
  return { bounds, buckets: sa.map((n, i) => n + sb[i]!) };
}

function checkShape(buckets: readonly HistogramBucket[]): void {
  if (buckets.length === 0 || buckets[buckets.length - 1]!.le !== Infinity) {
    throw new RangeError('a histogram ends with its +Inf bucket');
  }
  for (let i = 1; i < buckets.length; i++) {
    if (!(buckets[i]!.le > buckets[i - 1]!.le))
      throw new RangeError('histogram bounds must be strictly ascending');
  }
}

function monotonicCounts(buckets: readonly HistogramBucket[]): number[] {
  let max = 0;
  return buckets.map((b) => (max = Math.max(max, b.count)));
}
