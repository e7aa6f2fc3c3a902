import { describe, expect, it } from 'vitest';
import { addToSlice, isBadSlice } from './timeslice.js';
import type { SloSpec } from './slo.js';

const bounds = [0.1, 0.2, 0.4];

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

describe('addToSlice', () => {
  it('adds a series with an exact threshold as one more bound on the bounds both have', () => {
    const slice = { total: 0, bad: 0 };
    addToSlice(slice, 10, 0, [0.1, 0.2, 0.4], [5, 3, 2, 0], true);
    addToSlice(slice, 10, 0, [0.1, 0.2, 0.35, 0.4], [5, 3, 1, 1, 0], true);
    expect(slice).toEqual({ total: 20, bad: 0, bounds: [0.1, 0.2, 0.4], buckets: [10, 6, 4, 0] });
  });
});
