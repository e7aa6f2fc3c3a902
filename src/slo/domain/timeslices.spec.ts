import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { timeslicesBudget } from './budget.js';
import { countRatioSlices, MinuteCounts, ratioSliceVerdict, TimesliceCounter } from './timeslices.js';

const T0 = 29_000_040; // an epoch minute on an hour (and 5-minute) boundary
const DAY_MINUTES = 1440;

describe('error-rate slice verdicts', () => {
  it.each([
    {
      name: 'a slice with 99 % good requests meets a 99 % target',
      total: 100,
      bad: 1,
      target: 0.99,
      verdict: 'good',
    },
    {
      name: 'a slice with 98 % good requests misses a 99 % target',
      total: 100,
      bad: 2,
      target: 0.99,
      verdict: 'bad',
    },
    {
      name: 'a slice exactly at 55 % meets a 55 % target, although 0.55 × 100 is 55.00000000000001',
      total: 100,
      bad: 45,
      target: 0.55,
      verdict: 'good',
    },
    { name: 'a slice without requests has no data', total: 0, bad: 0, target: 0.99, verdict: 'noData' },
  ])('$name', ({ total, bad, target, verdict }) => {
    expect(ratioSliceVerdict({ total, bad }, target)).toBe(verdict);
  });
});

describe('counting slices from per-minute rows', () => {
  it('OpenSLO: 1,008 bad one-minute slices exhaust a 2-week 95 % budget (16 h 48 m)', () => {
    // 24,000 requests a day, ~16.7 a minute; the first 1,008 minutes fail entirely.
    const rows: MinuteCounts[] = Array.from({ length: 14 * DAY_MINUTES }, (_, i) => ({
      minute: T0 + i,
      total: 17,
      bad: i < 1008 ? 17 : 0,
    }));
    const slices = countRatioSlices(rows, T0, T0 + 14 * DAY_MINUTES, 1, 0.95);
    expect(slices).toEqual({ goodSlices: 14 * DAY_MINUTES - 1008, badSlices: 1008 });
    const budget = timeslicesBudget(slices, 14 * 86400, 60, 0.05);
    expect(budget.remainingPercent).toBeCloseTo(0, 9);
    expect(
      timeslicesBudget({ goodSlices: 0, badSlices: 1007 }, 14 * 86400, 60, 0.05).remainingBad,
    ).toBeCloseTo(1, 9);
  });

  it.each<{ name: string; rows: MinuteCounts[]; from: number; to: number; good: number; bad: number }>([
    {
      name: 'sums the minutes of a slice before judging it',
      rows: [
        { minute: T0, total: 50, bad: 0 },
        { minute: T0 + 4, total: 50, bad: 2 }, // 2 bad of 100 in the slice: 98 %
      ],
      from: T0,
      to: T0 + 5,
      good: 0,
      bad: 1,
    },
    {
      name: 'leaves out minutes without requests: a slice with none has no data',
      rows: [
        { minute: T0, total: 10, bad: 0 },
        { minute: T0 + 5, total: 0, bad: 0 },
        { minute: T0 + 12, total: 10, bad: 10 },
      ],
      from: T0,
      to: T0 + 15,
      good: 1,
      bad: 1,
    },
    {
      name: 'counts only slices wholly inside the range',
      rows: [
        { minute: T0 + 3, total: 10, bad: 10 },
        { minute: T0 + 7, total: 10, bad: 0 },
        { minute: T0 + 12, total: 10, bad: 10 },
      ],
      from: T0 + 1,
      to: T0 + 14,
      good: 1,
      bad: 0,
    },
  ])('$name', ({ rows, from, to, good, bad }) => {
    expect(countRatioSlices(rows, from, to, 5, 0.99)).toEqual({ goodSlices: good, badSlices: bad });
  });
});

describe('the incremental slice counter', () => {
  it('judges a slice when a later minute arrives, or when the clock passes its end', () => {
    const counter = new TimesliceCounter(5, 0.99);
    counter.addMinute(T0, 100, 0);
    counter.addMinute(T0 + 1, 100, 5); // 97.5 %: bad
    expect(counter.sum(T0, T0 + 60)).toMatchObject({ goodSlices: 0, badSlices: 0 });
    counter.addMinute(T0 + 5, 100, 0);
    expect(counter.sum(T0, T0 + 60)).toMatchObject({ goodSlices: 0, badSlices: 1 });
    counter.closeSlicesBefore(T0 + 9);
    expect(counter.sum(T0, T0 + 60)).toMatchObject({ goodSlices: 0, badSlices: 1 });
    counter.closeSlicesBefore(T0 + 10);
    expect(counter.sum(T0, T0 + 60)).toMatchObject({ goodSlices: 1, badSlices: 1 });
    expect(counter.sum(T0 + 5, T0 + 60)).toMatchObject({ goodSlices: 1, badSlices: 0 });
  });

  it('refuses minutes of a slice already judged', () => {
    const counter = new TimesliceCounter(5, 0.99);
    counter.addMinute(T0 + 7, 10, 0);
    counter.closeSlicesBefore(T0 + 10);
    expect(counter.addMinute(T0 + 9, 10, 10)).toBe(false);
    expect(counter.addMinute(T0 + 10, 10, 10)).toBe(true);
  });

  it('records judged latency slices, leaving slices without data uncounted', () => {
    const counter = new TimesliceCounter(1);
    expect(counter.recordSlice(T0, 'good')).toBe(true);
    expect(counter.recordSlice(T0 + 1, 'noData')).toBe(true);
    expect(counter.recordSlice(T0 + 2, 'bad')).toBe(true);
    expect(counter.sum(T0, T0 + 3)).toEqual({
      goodSlices: 1,
      badSlices: 1,
      fromMinute: T0,
      toMinute: T0 + 3,
    });
  });

  it('re-judges a recent slice when late data changes its verdict', () => {
    const counter = new TimesliceCounter(1);
    counter.recordSlice(T0, 'good');
    counter.recordSlice(T0 + 1, 'noData');
    counter.recordSlice(T0 + 2, 'good');
    counter.recordSlice(T0, 'bad');
    counter.recordSlice(T0 + 1, 'good');
    expect(counter.sum(T0, T0 + 3)).toMatchObject({ goodSlices: 2, badSlices: 1 });
    counter.recordSlice(T0 + 2, 'noData');
    expect(counter.sum(T0, T0 + 3)).toMatchObject({ goodSlices: 1, badSlices: 1 });
  });

  it('refuses a slice start off the slice grid', () => {
    expect(() => new TimesliceCounter(5).recordSlice(T0 + 1, 'good')).toThrow(RangeError);
  });

  it('agrees with counting from rows', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 5, 10),
        fc.array(
          fc.record({
            advance: fc.integer({ min: 0, max: 12 }),
            total: fc.integer({ min: 0, max: 20 }),
            bad: fc.integer({ min: 0, max: 20 }),
          }),
          { maxLength: 300 },
        ),
        fc.integer({ min: 0, max: 400 }),
        (sliceMinutes, steps, fromOffset) => {
          const counter = new TimesliceCounter(sliceMinutes, 0.9);
          const rows: MinuteCounts[] = [];
          let minute = T0;
          for (const step of steps) {
            minute += step.advance;
            const bad = Math.min(step.bad, step.total);
            expect(counter.addMinute(minute, step.total, bad)).toBe(true);
            rows.push({ minute, total: step.total, bad });
          }
          const now = minute + 1;
          counter.closeSlicesBefore(now);
          const from = Math.ceil((T0 + fromOffset) / sliceMinutes) * sliceMinutes;
          const closedUntil = Math.floor(now / sliceMinutes) * sliceMinutes;
          const incremental = counter.sum(from, closedUntil);
          expect({ goodSlices: incremental.goodSlices, badSlices: incremental.badSlices }).toEqual(
            countRatioSlices(rows, from, closedUntil, sliceMinutes, 0.9),
          );
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});
