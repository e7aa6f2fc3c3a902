import { describe, expect, it } from 'vitest';
import {
  budgetSpentPercentAtThreshold,
  defaultAlertingPolicy,
  defaultBurnRateWindows,
  tierProblem,
  toWindowView,
} from './alert-policy.js';

const HOUR = 3600;
const DAY = 86400;

/** "severity long/short factor", the table of docs/burn-rate-math.md. */
function table(windowSeconds: number, allowedBadRatio: number): string[] {
  return defaultAlertingPolicy(windowSeconds, allowedBadRatio)
    .windows.map(toWindowView)
    .map((w) => `${w.severity} ${w.longWindow}/${w.shortWindow} ${w.burnRate}×`);
}

describe('default multi-window multi-burn-rate policy', () => {
  it("gives a 30 d SLO exactly the SRE workbook's table 5-8, with nothing to note", () => {
    expect(defaultBurnRateWindows(30 * DAY).map(toWindowView)).toEqual([
      { severity: 'page', longWindow: '1h', shortWindow: '5m', burnRate: 14.4 },
      { severity: 'page', longWindow: '6h', shortWindow: '30m', burnRate: 6 },
      { severity: 'ticket', longWindow: '1d', shortWindow: '2h', burnRate: 3 },
      { severity: 'ticket', longWindow: '3d', shortWindow: '6h', burnRate: 1 },
    ]);
    expect(defaultAlertingPolicy(30 * DAY, 0.001).notes).toEqual([]);
  });

  it.each([
    { window: '1h', seconds: HOUR, tiers: ['page 5m/5m 6×', 'ticket 5m/5m 3×', 'ticket 6m/5m 1×'] },
    {
      window: '1d',
      seconds: DAY,
      tiers: ['page 5m/5m 14.4×', 'page 12m/5m 6×', 'ticket 48m/5m 3×', 'ticket 144m/12m 1×'],
    },
    {
      window: '7d',
      seconds: 7 * DAY,
      tiers: ['page 14m/5m 14.4×', 'page 84m/7m 6×', 'ticket 336m/28m 3×', 'ticket 1008m/84m 1×'],
    },
    {
      window: '14d',
      seconds: 14 * DAY,
      tiers: ['page 28m/5m 14.4×', 'page 168m/14m 6×', 'ticket 672m/56m 3×', 'ticket 2016m/168m 1×'],
    },
    {
      window: '28d',
      seconds: 28 * DAY,
      tiers: ['page 56m/5m 14.4×', 'page 336m/28m 6×', 'ticket 1344m/112m 3×', 'ticket 4032m/336m 1×'],
    },
    {
      window: '30d',
      seconds: 30 * DAY,
      tiers: ['page 1h/5m 14.4×', 'page 6h/30m 6×', 'ticket 1d/2h 3×', 'ticket 3d/6h 1×'],
    },
    {
      window: '90d',
      seconds: 90 * DAY,
      tiers: ['page 3h/15m 14.4×', 'page 18h/90m 6×', 'ticket 3d/6h 3×', 'ticket 9d/18h 1×'],
    },
  ])('gives a $window SLO at 99.9 % the tiers of the docs table', ({ seconds, tiers }) => {
    expect(table(seconds, 0.001)).toEqual(tiers);
  });

  it.each([7, 14, 28, 30, 90])(
    'never alerts below 1× and keeps every tier spending its workbook share of a %i d budget',
    (days) => {
      const windows = defaultBurnRateWindows(days * DAY, 0.001);
      expect(windows.every((w) => w.burnRate >= 1)).toBe(true);
      const shares = windows.map((w) => budgetSpentPercentAtThreshold(w, days * DAY));
      shares.forEach((share, i) => expect(share).toBeCloseTo([2, 5, 10, 10][i]!, 0));
    },
  );

  it('never alerts below 1× on windows under 7 d either, where the five-minute floor spends more of the budget', () => {
    for (const seconds of [HOUR, DAY]) {
      const windows = defaultBurnRateWindows(seconds, 0.001);
      expect(windows.every((w) => w.burnRate >= 1 && w.shortWindowSeconds >= 300)).toBe(true);
    }
  });

  it('caps a factor that no error rate can reach at the objective, and says so', () => {
    // 90 % allows 10 % bad: even a total outage burns at 10×, so 14.4× could never fire.
    const policy = defaultAlertingPolicy(90 * DAY, 0.1);
    expect(policy.windows[0]).toMatchObject({ severity: 'page', burnRate: 10 });
    expect(policy.notes.join(' ')).toContain('14.4× is unreachable');
  });

  it('lets a one-hour total outage page a 90 d SLO at 95 %', () => {
    // The budget-share rule this replaces asked for 43.2× here: 216 % errors.
    const [first] = defaultBurnRateWindows(90 * DAY, 0.05);
    expect(first!.burnRate * 0.05).toBeLessThanOrEqual(1);
    expect(first!.longWindowSeconds).toBeLessThanOrEqual(HOUR * 3);
  });

  it('drops a tier that the five-minute floor makes identical to a gentler one, and says so', () => {
    const policy = defaultAlertingPolicy(HOUR, 0.001);
    expect(policy.windows.filter((w) => w.severity === 'page')).toHaveLength(1);
    expect(policy.notes.join(' ')).toContain('page 14.4× dropped');
  });
});

describe('an explicit tier', () => {
  it.each([
    {
      name: 'below 1× is refused: it would alert while the SLO is met',
      rate: 0.5,
      objective: 99.9,
      problem: 'at least 1',
    },
    {
      name: 'above what every event failing reaches is refused: it could never fire',
      rate: 14.4,
      objective: 90,
      problem: 'at most 10',
    },
    { name: 'at exactly 1× is accepted', rate: 1, objective: 99.9, problem: null },
    {
      name: 'at exactly the maximum is accepted: it fires on a total outage',
      rate: 20,
      objective: 95,
      problem: null,
    },
  ])('$name', ({ rate, objective, problem }) => {
    const result = tierProblem(rate, (100 - objective) / 100, objective);
    if (problem === null) expect(result).toBeNull();
    else expect(result).toContain(problem);
  });
});
