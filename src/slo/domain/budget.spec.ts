import { describe, expect, it } from 'vitest';
import {
  allowedBadEvents,
  budgetConsumedPercentAtBurnRate,
  burnRate,
  occurrencesBudget,
  secondsToExhaustion,
  secondsToReachBurnRate,
  sliceSliRatio,
  slicesInWindow,
  sliRatio,
  timeslicesBudget,
} from './budget.js';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

describe('SLI over a window', () => {
  it.each([
    { name: 'is the share of good events', total: 1000, bad: 1, sli: 0.999 },
    { name: 'is 1 when nothing failed', total: 5, bad: 0, sli: 1 },
    { name: 'is 0 when everything failed', total: 5, bad: 5, sli: 0 },
    { name: 'is unknown without events: no data is not good', total: 0, bad: 0, sli: null },
  ])('$name', ({ total, bad, sli }) => {
    const result = sliRatio({ total, bad });
    if (sli === null) expect(result).toBeNull();
    else expect(result).toBeCloseTo(sli, 12);
  });

  it.each([
    { name: 'counts only slices that had data', goodSlices: 95, badSlices: 5, sli: 0.95 },
    { name: 'is unknown when no slice had data', goodSlices: 0, badSlices: 0, sli: null },
  ])('timeslices $name', ({ goodSlices, badSlices, sli }) => {
    const result = sliceSliRatio({ goodSlices, badSlices });
    if (sli === null) expect(result).toBeNull();
    else expect(result).toBeCloseTo(sli, 12);
  });
});

describe('occurrences budget', () => {
  // OpenSLO spec, "Budgeting method" worked example: 2 weeks, 24,000 requests a day, objective 95 %.
  const twoWeeksOfRequests = 14 * 24_000;

  it('OpenSLO: 336,000 requests at 95 % allow 16,800 bad ones', () => {
    expect(twoWeeksOfRequests).toBe(336_000);
    expect(allowedBadEvents(twoWeeksOfRequests, 0.05)).toBeCloseTo(16_800, 6);
  });

  it.each([
    { name: 'OpenSLO: 16,800 bad of 336,000 exhaust the budget', bad: 16_800, consumed: 100, remaining: 0 },
    { name: 'OpenSLO: 8,400 bad of 336,000 spend half of it', bad: 8_400, consumed: 50, remaining: 50 },
    {
      name: 'OpenSLO: 20,160 bad of 336,000 overspend it by a fifth',
      bad: 20_160,
      consumed: 120,
      remaining: -20,
    },
    { name: 'nothing bad spends nothing', bad: 0, consumed: 0, remaining: 100 },
  ])('$name', ({ bad, consumed, remaining }) => {
    const budget = occurrencesBudget({ total: twoWeeksOfRequests, bad }, 0.05);
    expect(budget.allowedBad).toBeCloseTo(16_800, 6);
    expect(budget.consumedBad).toBe(bad);
    expect(budget.remainingBad).toBeCloseTo(16_800 - bad, 6);
    expect(budget.consumedPercent).toBeCloseTo(consumed, 9);
    expect(budget.remainingPercent).toBeCloseTo(remaining, 9);
  });

  it('has no percentages before the first event', () => {
    expect(occurrencesBudget({ total: 0, bad: 0 }, 0.001)).toEqual({
      allowedBad: 0,
      consumedBad: 0,
      remainingBad: 0,
      consumedPercent: null,
      remainingPercent: null,
    });
  });
});

describe('timeslices budget', () => {
  it.each([
    {
      name: 'OpenSLO: 2 weeks hold 20,160 one-minute slices',
      window: 14 * DAY,
      slice: MINUTE,
      slices: 20_160,
    },
    { name: '28 days hold 8,064 five-minute slices', window: 28 * DAY, slice: 5 * MINUTE, slices: 8_064 },
    { name: 'a partial slice does not count', window: HOUR, slice: 7 * MINUTE, slices: 8 },
  ])('$name', ({ window, slice, slices }) => {
    expect(slicesInWindow(window, slice)).toBe(slices);
  });

  it('OpenSLO: 1-minute slices at 95 % over 2 weeks allow 1,008 bad slices, 16 h 48 m', () => {
    const budget = timeslicesBudget({ goodSlices: 0, badSlices: 0 }, 14 * DAY, MINUTE, 0.05);
    expect(budget.allowedBad).toBeCloseTo(1008, 9);
    expect(budget.allowedBad * MINUTE).toBeCloseTo(16 * HOUR + 48 * MINUTE, 6);
  });

  it.each([
    { name: 'OpenSLO: 1,008 bad minutes exhaust the budget', good: 19_152, bad: 1008, remaining: 0 },
    { name: 'slices without data spend no budget', good: 0, bad: 504, remaining: 50 },
    { name: 'good slices spend no budget', good: 20_160, bad: 0, remaining: 100 },
  ])('$name', ({ good, bad, remaining }) => {
    const budget = timeslicesBudget({ goodSlices: good, badSlices: bad }, 14 * DAY, MINUTE, 0.05);
    expect(budget.remainingPercent).toBeCloseTo(remaining, 9);
    expect(budget.remainingBad).toBeCloseTo(1008 - bad, 9);
  });
});

describe('burn rate', () => {
  it.each([
    { name: 'is 1 when the window fails exactly at the allowed ratio', total: 100_000, bad: 100, rate: 1 },
    { name: 'SRE workbook: 1.44 % errors at 99.9 % burn at 14.4×', total: 100_000, bad: 1440, rate: 14.4 },
    { name: 'is 1000× at 99.9 % when everything fails', total: 50, bad: 50, rate: 1000 },
    { name: 'is 0 when nothing fails', total: 50, bad: 0, rate: 0 },
    { name: 'is unknown without events', total: 0, bad: 0, rate: null },
  ])('$name', ({ total, bad, rate }) => {
    const result = burnRate({ total, bad }, 0.001);
    if (rate === null) expect(result).toBeNull();
    else expect(result).toBeCloseTo(rate, 9);
  });

  it('is infinite with no allowed errors and some errors', () => {
    expect(burnRate({ total: 10, bad: 1 }, 0)).toBe(Infinity);
  });
});

describe('budget spent by a burn', () => {
  it.each([
    {
      name: 'SRE workbook: 14.4× over 1 h spends 2 % of a 30 d budget',
      rate: 14.4,
      seconds: HOUR,
      percent: 2,
    },
    { name: 'SRE workbook: 6× over 6 h spends 5 % of a 30 d budget', rate: 6, seconds: 6 * HOUR, percent: 5 },
    { name: 'SRE workbook: 3× over 1 d spends 10 % of a 30 d budget', rate: 3, seconds: DAY, percent: 10 },
    {
      name: 'SRE workbook: 1× over 3 d spends 10 % of a 30 d budget',
      rate: 1,
      seconds: 3 * DAY,
      percent: 10,
    },
    { name: '1× for the whole window spends it all', rate: 1, seconds: 30 * DAY, percent: 100 },
  ])('$name', ({ rate, seconds, percent }) => {
    expect(budgetConsumedPercentAtBurnRate(rate, seconds, 30 * DAY)).toBeCloseTo(percent, 9);
  });
});

describe('time to exhaustion at the current burn', () => {
  it.each([
    { name: 'a full budget at 1× lasts the whole window', remaining: 100, rate: 1, seconds: 30 * DAY },
    {
      name: 'SRE workbook: a full budget at 14.4× lasts about 2 days',
      remaining: 100,
      rate: 14.4,
      seconds: 50 * HOUR,
    },
    { name: 'half a budget at 2× lasts a quarter of the window', remaining: 50, rate: 2, seconds: 7.5 * DAY },
    { name: 'an exhausted budget is gone now', remaining: 0, rate: 3, seconds: 0 },
    { name: 'an overspent budget is gone now', remaining: -20, rate: 3, seconds: 0 },
    { name: 'an infinite burn empties it now', remaining: 40, rate: Infinity, seconds: 0 },
    { name: 'no burn never exhausts it', remaining: 80, rate: 0, seconds: null },
    { name: 'an unknown burn gives no forecast', remaining: 80, rate: null, seconds: null },
    { name: 'an unknown budget gives no forecast', remaining: null, rate: 2, seconds: null },
  ])('$name', ({ remaining, rate, seconds }) => {
    const result = secondsToExhaustion(remaining, rate, 30 * DAY);
    if (seconds === null) expect(result).toBeNull();
    else expect(result).toBeCloseTo(seconds, 6);
  });
});

describe('time for an outage to reach a burn-rate threshold', () => {
  it.each([
    {
      name: 'SRE workbook: 100 % errors meet 14.4× over 1 h after 51.84 s',
      window: HOUR,
      rate: 14.4,
      errors: 1,
      seconds: 51.84,
    },
    {
      name: 'SRE workbook: 100 % errors meet 14.4× over 5 m after 4.32 s',
      window: 5 * MINUTE,
      rate: 14.4,
      errors: 1,
      seconds: 4.32,
    },
    {
      name: 'SRE workbook: 100 % errors meet 6× over 6 h after 129.6 s',
      window: 6 * HOUR,
      rate: 6,
      errors: 1,
      seconds: 129.6,
    },
    {
      name: '10 % errors meet 14.4× over 1 h after 518.4 s',
      window: HOUR,
      rate: 14.4,
      errors: 0.1,
      seconds: 518.4,
    },
    { name: '1 % errors never reach 14.4× at 99.9 %', window: HOUR, rate: 14.4, errors: 0.01, seconds: null },
    { name: 'no errors never reach anything', window: HOUR, rate: 1, errors: 0, seconds: null },
  ])('$name', ({ window, rate, errors, seconds }) => {
    const result = secondsToReachBurnRate(window, rate, 0.001, errors);
    if (seconds === null) expect(result).toBeNull();
    else expect(result).toBeCloseTo(seconds, 6);
  });
});
