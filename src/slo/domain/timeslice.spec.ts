import { describe, expect, it } from 'vitest';
import { histogramQuantile, isBadSlice } from './timeslice.js';
import type { SloSpec } from './slo.js';

const bounds = [0.1, 0.2, 0.4];

describe('histogramQuantile', () => {
  it.each([
    { name: 'the median inside the first bucket', q: 0.5, buckets: [100, 0, 0, 0], value: 0.05 },
    { name: 'P95 interpolated inside the second bucket', q: 0.95, buckets: [90, 10, 0, 0], value: 0.15 },
    {
      name: 'a quantile in +Inf answers the highest finite bound',
      q: 0.99,
      buckets: [50, 0, 0, 50],
      value: 0.4,
    },
  ])('$name', ({ q, buckets, value }) => {
    expect(histogramQuantile(q, bounds, buckets)).toBeCloseTo(value, 9);
  });

  it('is null for an empty histogram', () => {
    expect(histogramQuantile(0.95, bounds, [0, 0, 0, 0])).toBeNull();
  });
});

describe('isBadSlice', () => {
  const latency = {
    indicator: { type: 'latency', thresholdMs: 200, percentile: 95 },
    objective: 99,
  } as SloSpec;
  const errors = {
    indicator: { type: 'errorRate', errorStatus: '5xx' },
    objective: 99,
    timesliceTarget: 95,
  } as SloSpec;

  it.each([
    {
      name: 'a slice whose P95 is within the threshold is good',
      spec: latency,
      slice: { total: 100, bad: 0, bounds, buckets: [95, 5, 0, 0] },
      bad: false,
    },
    {
      name: 'a slice whose P95 is above the threshold is bad',
      spec: latency,
      slice: { total: 100, bad: 0, bounds, buckets: [80, 10, 10, 0] },
      bad: true,
    },
    {
      name: 'an error-rate slice at its target is good',
      spec: errors,
      slice: { total: 100, bad: 5 },
      bad: false,
    },
    {
      name: 'an error-rate slice below its target is bad',
      spec: errors,
      slice: { total: 100, bad: 6 },
      bad: true,
    },
  ])('$name', ({ spec, slice, bad }) => {
    expect(isBadSlice(spec, slice)).toBe(bad);
  });
});
