import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addOnCommonBounds,
  countWithinThreshold,
  fromBucketCounts,
  HistogramBucket,
  histogramQuantileSeconds,
  latencyEventCounts,
  latencySliceVerdict,
  sumHistograms,
} from './latency.js';

function histogram(bounds: number[], counts: number[]): HistogramBucket[] {
  return [...bounds, Infinity].map((le, i) => ({ le, count: counts[i]! }));
}

// 100 requests: 50 within 100 ms, 80 within 250 ms, 90 within 500 ms, 95 within 1 s, 5 slower.
const H = histogram([0.1, 0.25, 0.5, 1], [50, 80, 90, 95, 100]);
const EMPTY = histogram([0.1, 0.25, 0.5, 1], [0, 0, 0, 0, 0]);

describe('requests within a latency threshold', () => {
  it.each([
    { name: 'are exact on a bucket boundary', buckets: H, threshold: 0.25, count: 80, approximate: false },
    { name: 'are interpolated inside a bucket', buckets: H, threshold: 0.3, count: 82, approximate: true },
    {
      name: 'are interpolated from 0 inside the first bucket',
      buckets: H,
      threshold: 0.05,
      count: 25,
      approximate: true,
    },
    {
      name: 'leave the +Inf bucket out above the highest bound',
      buckets: H,
      threshold: 2,
      count: 95,
      approximate: true,
    },
    {
      name: 'are all of them at an infinite threshold',
      buckets: H,
      threshold: Infinity,
      count: 100,
      approximate: false,
    },
    { name: 'are none at a threshold of 0', buckets: H, threshold: 0, count: 0, approximate: false },
    { name: 'are none below 0', buckets: H, threshold: -1, count: 0, approximate: false },
    {
      name: 'are exact inside a bucket without requests',
      buckets: histogram([0.1, 0.25, 0.5], [50, 50, 90, 100]),
      threshold: 0.2,
      count: 50,
      approximate: false,
    },
    {
      name: 'are exact above the highest bound when the +Inf bucket adds nothing',
      buckets: histogram([0.1, 1], [50, 100, 100]),
      threshold: 5,
      count: 100,
      approximate: false,
    },
    {
      name: 'treat a count lower than the bucket before as that one (merging artefacts)',
      buckets: histogram([0.1, 0.25, 0.5], [50, 40, 90, 100]),
      threshold: 0.25,
      count: 50,
      approximate: false,
    },
  ])('$name', ({ buckets, threshold, count, approximate }) => {
    const result = countWithinThreshold(buckets, threshold);
    expect(result.count).toBeCloseTo(count, 9);
    expect(result.approximate).toBe(approximate);
  });

  it('a latency SLO counts the slower requests as bad', () => {
    const counts = latencyEventCounts(H, 0.3);
    expect(counts.total).toBe(100);
    expect(counts.bad).toBeCloseTo(18, 9);
    expect(counts.approximate).toBe(true);
  });

  it('reads a stored row of per-bucket counts as a cumulative histogram', () => {
    expect(fromBucketCounts([0.1, 0.25, 0.5, 1], [50, 30, 10, 5, 5])).toEqual(H);
    expect(() => fromBucketCounts([0.1], [1])).toThrow(RangeError);
  });

  it.each([
    { name: 'without a +Inf bucket', buckets: [{ le: 0.1, count: 1 }] },
    { name: 'with no buckets at all', buckets: [] },
    { name: 'with bounds out of order', buckets: histogram([0.5, 0.1], [1, 2, 3]) },
  ])('refuses a histogram $name', ({ buckets }) => {
    expect(() => countWithinThreshold(buckets, 0.1)).toThrow(RangeError);
  });
});

describe('quantiles (histogram_quantile semantics)', () => {
  it.each([
    { name: 'P50 at the top of the first bucket', q: 0.5, buckets: H, seconds: 0.1 },
    { name: 'P75 interpolated inside a bucket', q: 0.75, buckets: H, seconds: 0.225 },
    { name: 'P90 on a bucket boundary', q: 0.9, buckets: H, seconds: 0.5 },
    { name: 'P95 on the highest finite bound', q: 0.95, buckets: H, seconds: 1 },
    { name: 'P99 in the +Inf bucket is the highest finite bound', q: 0.99, buckets: H, seconds: 1 },
    { name: 'P0 is the lower bound of the first bucket', q: 0, buckets: H, seconds: 0 },
    {
      name: 'P0 with an empty first bucket is its lower bound',
      q: 0,
      buckets: histogram([0.1, 1], [0, 10, 10]),
      seconds: 0,
    },
    {
      name: 'P50 of the default buckets inside 75-100 ms',
      q: 0.5,
      buckets: histogram(
        [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10],
        [0, 0, 10, 30, 40, 60, 80, 90, 95, 96, 97, 98, 99, 100, 100, 100, 100, 100, 100, 100],
      ),
      seconds: 0.0875,
    },
    { name: 'no requests have no quantile', q: 0.95, buckets: EMPTY, seconds: null },
  ])('$name', ({ q, buckets, seconds }) => {
    const result = histogramQuantileSeconds(q, buckets);
    if (seconds === null) expect(result).toBeNull();
    else expect(result).toBeCloseTo(seconds, 9);
  });

  it('refuses a quantile given as a percentile', () => {
    expect(() => histogramQuantileSeconds(95, H)).toThrow(RangeError);
  });
});

describe('latency timeslices', () => {
  it.each([
    { name: 'a slice whose P95 is within 1 s is good', q: 0.95, threshold: 1, verdict: 'good' },
    { name: 'a slice whose P95 is above 500 ms is bad', q: 0.95, threshold: 0.5, verdict: 'bad' },
    { name: 'a slice whose P90 is exactly 500 ms is good', q: 0.9, threshold: 0.5, verdict: 'good' },
    {
      name: 'a slice whose P99 lies in the +Inf bucket is bad, even at the highest bound',
      q: 0.99,
      threshold: 1,
      verdict: 'bad',
    },
    {
      name: 'a slice whose P75 (225 ms) is within an interpolated 300 ms is good',
      q: 0.75,
      threshold: 0.3,
      verdict: 'good',
    },
    { name: 'a slice whose P75 (225 ms) is above 200 ms is bad', q: 0.75, threshold: 0.2, verdict: 'bad' },
  ])('$name', ({ q, threshold, verdict }) => {
    expect(latencySliceVerdict(H, q, threshold)).toBe(verdict);
  });

  it('a slice whose P55 is exactly its threshold is good, although 0.55 × 100 is 55.00000000000001', () => {
    expect(latencySliceVerdict(histogram([0.1, 1], [55, 100, 100]), 0.55, 0.1)).toBe('good');
  });

  it('a slice without requests has no data', () => {
    expect(latencySliceVerdict(EMPTY, 0.95, 0.3)).toBe('noData');
  });

  it('adds the minutes of a slice bucket by bucket', () => {
    const minute = histogram([0.1, 1], [1, 2, 3]);
    expect(sumHistograms([minute, minute, minute])).toEqual(histogram([0.1, 1], [3, 6, 9]));
    expect(() => sumHistograms([minute, H])).toThrow(RangeError);
  });
});

describe('quantiles and counts agree', () => {
  const histogramArb = fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 12 }),
      fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 13, maxLength: 13 }),
    )
    .map(([millis, perBucket]) => {
      const bounds = [...millis].sort((a, b) => a - b).map((ms) => ms / 1000);
      let cumulative = 0;
      return [...bounds, Infinity].map((le, i) => ({ le, count: (cumulative += perBucket[i]!) }));
    });

  it('the requests within the q-quantile are q of them, while the quantile lies below the highest bound', () => {
    fc.assert(
      fc.property(histogramArb, fc.double({ min: 0.01, max: 0.99, noNaN: true }), (buckets, q) => {
        const total = buckets[buckets.length - 1]!.count;
        const seconds = histogramQuantileSeconds(q, buckets);
        if (total === 0) {
          expect(seconds).toBeNull();
          return;
        }
        const highestBound = buckets[buckets.length - 2]!.le;
        if (seconds! >= highestBound) return;
        expect(countWithinThreshold(buckets, seconds!).count).toBeCloseTo(q * total, 6);
        expect(latencySliceVerdict(buckets, q, seconds!)).toBe('good');
      }),
      { numRuns: 500 },
    );
  }, 60_000);
});

describe('addOnCommonBounds', () => {
  it.each([
    {
      name: 'histograms with the same bounds add bucket by bucket',
      a: { bounds: [0.1, 0.5], buckets: [1, 2, 3] },
      b: { bounds: [0.1, 0.5], buckets: [10, 20, 30] },
      expected: { bounds: [0.1, 0.5], buckets: [11, 22, 33] },
    },
    {
      name: 'a split bucket (an exact threshold as a bound) is merged back',
      a: { bounds: [0.1, 0.35, 0.5], buckets: [1, 2, 3, 4] },
      b: { bounds: [0.1, 0.5], buckets: [10, 20, 30] },
      expected: { bounds: [0.1, 0.5], buckets: [11, 25, 34] },
    },
    {
      name: 'bounds only one side has are left out on both',
      a: { bounds: [0.2, 0.5], buckets: [1, 2, 3] },
      b: { bounds: [0.1, 0.5], buckets: [10, 20, 30] },
      expected: { bounds: [0.5], buckets: [33, 33] },
    },
  ])('$name', ({ a, b, expected }) => {
    expect(addOnCommonBounds(a, b)).toEqual(expected);
  });
});
