import { describe, expect, it } from 'vitest';
import type { Timeseries } from '../api/types.js';
import {
  budgetData,
  budgetRange,
  burnRange,
  burnRateCharts,
  hasData,
  sliData,
  sliRange,
  zeroStop,
} from './series.js';

const ts: Timeseries = {
  from: '1970-01-01T00:00:00.000Z',
  to: '1970-01-01T00:03:00.000Z',
  stepSeconds: 60,
  timestamps: [0, 60, 120, 180],
  sliPercent: [99.9, null, 98, 99],
  budgetRemainingPercent: [80, null, 10, -20],
  burnRates: [{ severity: 'page', window: '1h', threshold: 14.4, values: [1, null, 20, 3] }],
  requests: [100, 0, 100, 100],
  bad: [0, 0, 2, 1],
  corrected: [],
};

describe('series for the charts', () => {
  it('keeps a gap as null rather than drawing zero', () => {
    expect(budgetData(ts)[1]).toEqual([80, null, 10, -20]);
    expect(sliData(ts, 99)[1]![1]).toBeNull();
  });
  it('draws the objective as a constant line beside the SLI', () =>
    expect(sliData(ts, 99)[2]).toEqual([99, 99, 99, 99]));
  it('makes one burn-rate chart per alert window with its threshold line', () => {
    const [chart] = burnRateCharts(ts);
    expect(chart!.title).toBe('1h window (page)');
    expect(chart!.data[2]).toEqual([14.4, 14.4, 14.4, 14.4]);
  });
  it('says a range without any measurement has no data', () =>
    expect(
      hasData({
        ...ts,
        sliPercent: [null, null, null, null],
        budgetRemainingPercent: [null, null, null, null],
      }),
    ).toBe(false));
});

describe('axis ranges', () => {
  it('shows the SLI from under its lowest point up to 100', () => {
    const [low, high] = sliRange([99.9, null, 98], 99);
    expect(low).toBeCloseTo(97.8);
    expect(high).toBe(100);
  });
  it('keeps zero and 100 in the budget axis, and room for an overspent budget', () => {
    expect(budgetRange([80, 50])).toEqual([0, 100]);
    expect(budgetRange([80, -20])[0]).toBeLessThan(-20);
  });
  it('leaves room above the higher of the threshold and the highest rate', () => {
    expect(burnRange([1, 2], 14.4)[1]).toBeCloseTo(16.56);
    expect(burnRange([1, 20], 14.4)[1]).toBeCloseTo(23);
  });
});

describe('zeroStop', () => {
  it.each([
    { name: 'zero in the middle of the plot', top: 10, height: 100, zeroY: 60, expected: 0.5 },
    { name: 'zero below the plot means all green', top: 10, height: 100, zeroY: 500, expected: 1 },
    { name: 'zero above the plot means all red', top: 10, height: 100, zeroY: -5, expected: 0 },
  ])('$name', ({ top, height, zeroY, expected }) =>
    expect(zeroStop(top, height, zeroY)).toBeCloseTo(expected),
  );
});
