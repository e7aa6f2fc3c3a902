import { describe, expect, it } from 'vitest';
import { budgetSpentPercentAtThreshold, defaultBurnRateWindows, toWindowView } from './alert-policy.js';

const DAY = 86400;

describe('default multi-window multi-burn-rate policy', () => {
  it("gives a 30 d SLO the SRE workbook's table", () => {
    expect(defaultBurnRateWindows(30 * DAY).map(toWindowView)).toEqual([
      { severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 14.4 },
      { severity: 'page', longWindow: '6h', shortWindow: '30m', burnRate: 6 },
      { severity: 'ticket', longWindow: '1d', shortWindow: '2h', burnRate: 3 },
      { severity: 'ticket', longWindow: '3d', shortWindow: '6h', burnRate: 1 },
    ]);
  });

  it.each([
    { name: 'a 28 d SLO keeps the same budget shares', days: 28, factors: [13.44, 5.6, 2.8, 0.933333] },
    { name: 'a 7 d SLO keeps the same budget shares', days: 7, factors: [3.36, 1.4, 0.7, 0.233333] },
  ])('$name', ({ days, factors }) => {
    const windows = defaultBurnRateWindows(days * DAY);
    windows.forEach((window, i) => expect(window.burnRate).toBeCloseTo(factors[i]!, 5));
    expect(windows.map((w) => budgetSpentPercentAtThreshold(w, days * DAY))).toEqual([2, 5, 10, 10]);
  });

  it('leaves out tiers whose long window is longer than the SLO window', () => {
    expect(defaultBurnRateWindows(DAY).map((w) => w.longWindowSeconds)).toEqual([3600, 6 * 3600, DAY]);
  });
});
