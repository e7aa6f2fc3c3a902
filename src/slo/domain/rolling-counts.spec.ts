import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesPerSeries,
  capacityForSlo,
  DEFAULT_ROLLING_COUNTS_CAPACITY,
  RollingCounts,
  RollingCountsCapacity,
  rollingCountsCapacity,
} from './rolling-counts.js';

const T0 = 29_000_040; // an epoch minute on an hour boundary (2025-02-20 09:00 UTC)
const SMALL: RollingCountsCapacity = { hourSlots: 4, minuteSlots: 90 };

type Op = [minute: number, total: number, bad: number];

function storeOf(ops: Op[], capacity: RollingCountsCapacity = SMALL): RollingCounts {
  const store = new RollingCounts(capacity);
  for (const [minute, total, bad] of ops) store.add(minute, total, bad);
  return store;
}

describe('rolling counts', () => {
  it.each<{ name: string; ops: Op[]; from: number; to: number; sums: [number, number, number] }>([
    {
      name: 'sums consecutive minutes',
      ops: [
        [T0, 10, 1],
        [T0 + 1, 20, 2],
        [T0 + 2, 30, 3],
      ],
      from: T0,
      to: T0 + 3,
      sums: [60, 6, 3],
    },
    {
      name: 'leaves out the end minute: ranges are [from, to)',
      ops: [
        [T0, 10, 1],
        [T0 + 1, 20, 2],
        [T0 + 2, 30, 3],
      ],
      from: T0 + 1,
      to: T0 + 2,
      sums: [20, 2, 1],
    },
    {
      name: 'adds a second scrape to the same minute, which counts once as a minute with data',
      ops: [
        [T0, 10, 1],
        [T0, 5, 5],
      ],
      from: T0,
      to: T0 + 1,
      sums: [15, 6, 1],
    },
    {
      name: 'does not count a minute without events as a minute with data',
      ops: [
        [T0, 0, 0],
        [T0 + 1, 4, 0],
        [T0 + 2, 0, 0],
      ],
      from: T0,
      to: T0 + 3,
      sums: [4, 0, 1],
    },
    {
      name: 'finds nothing in a gap',
      ops: [
        [T0, 10, 1],
        [T0 + 30, 20, 2],
      ],
      from: T0 + 1,
      to: T0 + 30,
      sums: [0, 0, 0],
    },
    {
      name: 'sums across a gap',
      ops: [
        [T0, 10, 1],
        [T0 + 30, 20, 2],
      ],
      from: T0,
      to: T0 + 31,
      sums: [30, 3, 2],
    },
    {
      name: 'sums across hour boundaries',
      ops: [
        [T0 + 58, 1, 0],
        [T0 + 59, 2, 0],
        [T0 + 60, 4, 1],
        [T0 + 61, 8, 1],
        [T0 + 125, 16, 1],
      ],
      from: T0 + 59,
      to: T0 + 126,
      sums: [30, 3, 4],
    },
    {
      name: 'finds nothing before the first minute',
      ops: [[T0 + 10, 10, 1]],
      from: T0 - 500,
      to: T0 + 10,
      sums: [0, 0, 0],
    },
    {
      name: 'finds nothing after the last minute',
      ops: [[T0 + 10, 10, 1]],
      from: T0 + 11,
      to: T0 + 500,
      sums: [0, 0, 0],
    },
    {
      name: 'sums a range reaching past both ends',
      ops: [
        [T0 + 10, 10, 1],
        [T0 + 11, 10, 1],
      ],
      from: T0 - 500,
      to: T0 + 500,
      sums: [20, 2, 2],
    },
    {
      name: 'is empty for an empty range',
      ops: [[T0 + 10, 10, 1]],
      from: T0 + 10,
      to: T0 + 10,
      sums: [0, 0, 0],
    },
    {
      name: 'keeps minutes exact after the minute ring wrapped around',
      ops: Array.from({ length: 200 }, (_, i): Op => [T0 + i, 1, i % 2]),
      from: T0 + 120,
      to: T0 + 200,
      sums: [80, 40, 80],
    },
    {
      name: 'starts afresh after a gap longer than both rings',
      ops: [
        [T0, 100, 100],
        [T0 + 10_000, 3, 1],
        [T0 + 10_001, 3, 1],
      ],
      from: T0 + 9_990,
      to: T0 + 10_002,
      sums: [6, 2, 2],
    },
    {
      name: 'with an empty store sums nothing',
      ops: [],
      from: T0,
      to: T0 + 60,
      sums: [0, 0, 0],
    },
  ])('$name', ({ ops, from, to, sums }) => {
    const result = storeOf(ops).sum(from, to);
    expect([result.total, result.bad, result.minutesWithData]).toEqual(sums);
    expect([result.fromMinute, result.toMinute]).toEqual([from, to]);
  });

  it.each([
    {
      name: 'a 30 d SLO keeps 30 d of hours and 26 h of minutes',
      days: 30,
      alertDays: 3,
      hours: 722,
      minutes: 1561,
    },
    { name: 'a 90 d SLO keeps 90 d of hours', days: 90, alertDays: 3, hours: 2162, minutes: 1561 },
    { name: 'a 1 d SLO keeps its 3 d alert window', days: 1, alertDays: 3, hours: 74, minutes: 1561 },
    { name: 'a 1 h SLO keeps minutes for 3 h only', days: 1 / 24, alertDays: 1 / 24, hours: 6, minutes: 181 },
  ])('$name', ({ days, alertDays, hours, minutes }) => {
    expect(capacityForSlo(days * 86400, alertDays * 86400)).toEqual({
      hourSlots: hours,
      minuteSlots: minutes,
    });
  });

  it('refuses a capacity whose hours do not reach back past its minutes', () => {
    expect(() => new RollingCounts({ hourSlots: 4, minuteSlots: 121 })).toThrow(RangeError);
    expect(rollingCountsCapacity(3600, 3 * 3600)).toEqual({ hourSlots: 6, minuteSlots: 181 });
  });

  it.each<{ name: string; ops: [op: 'add' | 'set', ...Op][]; sums: [number, number, number]; last: number }>([
    {
      name: 'replaces the last minute with set (a re-read of a growing minute)',
      ops: [
        ['add', T0, 10, 1],
        ['set', T0 + 1, 5, 0],
        ['set', T0 + 1, 8, 2],
      ],
      sums: [18, 3, 2],
      last: T0 + 1,
    },
    {
      name: 'replaces an earlier minute in the same hour',
      ops: [
        ['add', T0, 10, 1],
        ['add', T0 + 1, 5, 0],
        ['add', T0 + 2, 7, 0],
        ['set', T0 + 1, 1, 1],
      ],
      sums: [18, 2, 3],
      last: T0 + 2,
    },
    {
      name: 'replaces an earlier minute in an earlier hour',
      ops: [
        ['add', T0 + 59, 10, 1],
        ['add', T0 + 61, 5, 0],
        ['set', T0 + 59, 2, 2],
      ],
      sums: [7, 2, 2],
      last: T0 + 61,
    },
    {
      name: 'empties a minute with set, which then has no data',
      ops: [
        ['add', T0, 10, 1],
        ['add', T0 + 1, 5, 0],
        ['set', T0, 0, 0],
      ],
      sums: [5, 0, 1],
      last: T0 + 1,
    },
    {
      name: 'adds to an earlier minute, which counts once as a minute with data',
      ops: [
        ['add', T0, 10, 1],
        ['add', T0 + 3, 5, 0],
        ['add', T0, 1, 1],
        ['add', T0 + 1, 2, 0],
      ],
      sums: [18, 2, 3],
      last: T0 + 3,
    },
    {
      name: 'accepts fractional (interpolated) counts',
      ops: [
        ['add', T0, 10, 0.25],
        ['add', T0 + 1, 10, 0.5],
        ['set', T0, 10, 0.75],
      ],
      sums: [20, 1.25, 2],
      last: T0 + 1,
    },
  ])('$name', ({ ops, sums, last }) => {
    const store = new RollingCounts(SMALL);
    for (const [op, minute, total, bad] of ops) expect(store[op](minute, total, bad)).toBe(true);
    const result = store.sum(T0 - 60, T0 + 120);
    expect([result.total, result.bad, result.minutesWithData]).toEqual(sums);
    expect(store.lastMinute).toBe(last);
  });

  it.each([
    { name: 'older than the first minute', minute: T0 - 1 },
    { name: 'older than the minute ring', minute: T0 + 199 - 90 },
  ])('refuses a correction of a minute $name and keeps its sums', ({ minute }) => {
    const store = storeOf(Array.from({ length: 200 }, (_, i): Op => [T0 + i, 1, 0]));
    expect(store.add(minute, 99, 99)).toBe(false);
    expect(store.set(minute, 99, 99)).toBe(false);
    expect(store.sum(T0 - 100, T0 + 300).total).toBe(200);
  });

  it('tells the latest minute given events, and forgets everything when cleared', () => {
    const store = storeOf([
      [T0, 10, 1],
      [T0 + 5, 0, 0],
    ]);
    expect(store.lastMinuteWithData()).toBe(T0);
    expect(store.lastMinute).toBe(T0 + 5);
    store.clear();
    expect(store.lastMinuteWithData()).toBeUndefined();
    expect(store.sum(T0 - 100, T0 + 100).total).toBe(0);
    store.add(T0 + 30, 4, 1);
    expect(store.sum(T0 - 100, T0 + 100)).toMatchObject({ total: 4, bad: 1, minutesWithData: 1 });
  });

  it.each([
    { name: 'more bad than total', total: 1, bad: 2 },
    { name: 'a negative count', total: -1, bad: 0 },
    { name: 'not a number', total: NaN, bad: 0 },
    { name: 'an infinite count', total: Infinity, bad: 0 },
  ])('rejects $name', ({ total, bad }) => {
    expect(() => new RollingCounts(SMALL).add(T0, total, bad)).toThrow(RangeError);
  });

  it('writes a sum into an object it is given, overwriting it', () => {
    const store = storeOf([
      [T0, 10, 1],
      [T0 + 1, 20, 2],
    ]);
    const out = { total: 99, bad: 99, minutesWithData: 99, fromMinute: 0, toMinute: 0 };
    expect(store.sumInto(T0, T0 + 2, out)).toBe(out);
    expect(out).toEqual({ total: 30, bad: 3, minutesWithData: 2, fromMinute: T0, toMinute: T0 + 2 });
    expect(store.sumInto(T0 + 5, T0 + 5, out)).toEqual({
      total: 0,
      bad: 0,
      minutesWithData: 0,
      fromMinute: T0 + 5,
      toMinute: T0 + 5,
    });
  });

  it('sums a window ending now', () => {
    const store = storeOf(Array.from({ length: 30 }, (_, i): Op => [T0 + i, 2, 1]));
    expect(store.windowSum(T0 + 30, 5)).toMatchObject({
      total: 10,
      bad: 5,
      fromMinute: T0 + 25,
      toMinute: T0 + 30,
    });
  });

  describe('beyond the minute ring', () => {
    // 4 hours kept, 90 minutes exact; 3 h 20 m of one event a minute, the last minute T0 + 199.
    const store = storeOf(Array.from({ length: 200 }, (_, i): Op => [T0 + i, 1, 0]));

    it.each([
      {
        name: 'rounds an old start up to the next hour',
        from: T0 + 30,
        to: T0 + 200,
        covered: [T0 + 60, T0 + 200],
      },
      { name: 'rounds an old end down to its hour', from: T0 + 30, to: T0 + 90, covered: [T0 + 60, T0 + 60] },
      {
        name: 'keeps an old start on an hour boundary',
        from: T0 + 60,
        to: T0 + 200,
        covered: [T0 + 60, T0 + 200],
      },
      {
        name: 'keeps a start within the minute ring',
        from: T0 + 111,
        to: T0 + 200,
        covered: [T0 + 111, T0 + 200],
      },
    ])('$name', ({ from, to, covered }) => {
      const result = store.sum(from, to);
      expect([result.fromMinute, result.toMinute]).toEqual(covered);
      expect(result.total).toBe(covered[1]! - covered[0]!);
    });

    it('rounds a start older than the hour ring to the oldest hour kept', () => {
      const longer = storeOf(Array.from({ length: 400 }, (_, i): Op => [T0 + i, 1, 0])); // hours T0/60 … T0/60 + 6
      const result = longer.sum(T0 + 10, T0 + 400);
      expect(result.fromMinute).toBe(T0 + 240); // hours 3…6 kept: everything before hour 3's end is known
      expect(result.total).toBe(160);
    });
  });

  describe('hours loaded in bulk', () => {
    it('sums whole loaded hours and the minutes after them', () => {
      const store = new RollingCounts(SMALL);
      const hour = T0 / 60;
      expect(store.addHour(hour, 600, 6, 60)).toBe(true);
      expect(store.addHour(hour + 1, 300, 3, 30)).toBe(true);
      store.add(T0 + 120, 10, 1);
      store.add(T0 + 121, 10, 1);
      expect(store.sum(T0, T0 + 122)).toEqual({
        total: 920,
        bad: 11,
        minutesWithData: 92,
        fromMinute: T0,
        toMinute: T0 + 122,
      });
      expect(store.sum(T0 + 60, T0 + 121)).toMatchObject({ total: 310, bad: 4, minutesWithData: 31 });
      expect(store.sum(T0 + 30, T0 + 122)).toMatchObject({ total: 320, fromMinute: T0 + 60 });
    });

    it('refuses an hour that is not after everything stored', () => {
      const store = storeOf([[T0 + 61, 1, 0]]);
      expect(store.addHour(T0 / 60 + 1, 60, 0, 60)).toBe(false);
      expect(store.addHour(T0 / 60 + 2, 60, 0, 60)).toBe(true);
      expect(store.sum(T0, T0 + 180).total).toBe(61);
    });
  });

  it.each([
    {
      name: 'the default capacity (31 d of hours, 26 h exact) starts at about 7.5 KiB a series, 37 KiB at the widest',
      capacity: DEFAULT_ROLLING_COUNTS_CAPACITY,
      bytes: 746 * 4 + 1561 * 3,
      widest: 746 * 17 + 1561 * 16,
    },
    {
      name: 'a 90 d + 1 d capacity starts at about 13 KiB a series',
      capacity: rollingCountsCapacity(91 * 86400, 26 * 3600),
      bytes: 2186 * 4 + 1561 * 3,
      widest: 2186 * 17 + 1561 * 16,
    },
  ])('$name', ({ capacity, bytes, widest }) => {
    expect(bytesPerSeries(capacity)).toBe(bytes);
    expect(bytesPerSeries(capacity, true)).toBe(widest);
    expect(new RollingCounts(capacity).bytes).toBe(bytes);
  });

  it.each([
    { name: 'a minute of 70,000 requests widens the totals to 32 bits', total: 70_000, bad: 0, exact: true },
    {
      name: 'a minute of 300 bad requests widens the bad counts to 16 bits',
      total: 300,
      bad: 300,
      exact: true,
    },
    { name: 'a fractional bad count widens the bad counts to Float64', total: 10, bad: 2.25, exact: true },
    { name: 'counts past 2^32 widen the totals to Float64', total: 2 ** 33 + 1, bad: 1, exact: true },
  ])('$name, and every sum stays exact', ({ total, bad }) => {
    const store = new RollingCounts();
    const before = store.bytes;
    expect(store.add(T0, 1, 0)).toBe(true);
    expect(store.add(T0 + 1, total, bad)).toBe(true);
    expect(store.add(T0 + 2, 3, 1)).toBe(true);
    expect(store.bytes).toBeGreaterThan(before);
    expect(store.sum(T0, T0 + 3)).toMatchObject({ total: 1 + total + 3, bad: bad + 1, minutesWithData: 3 });
    expect(store.sum(T0 + 1, T0 + 2)).toMatchObject({ total, bad });
    // Over a day later, at hour resolution, the hour still holds them.
    const later = T0 + 30 * 60;
    expect(store.add(later, 1, 0)).toBe(true);
    expect(store.sum(T0 - 60, later + 1)).toMatchObject({ total: 1 + total + 3 + 1, bad: bad + 1 });
  });
});

describe('rolling counts against a naive sum', () => {
  const capacityArb = fc
    .record({ minuteSlots: fc.integer({ min: 61, max: 200 }), spareHours: fc.integer({ min: 0, max: 4 }) })
    .map(({ minuteSlots, spareHours }) => ({
      minuteSlots,
      hourSlots: Math.floor((minuteSlots - 1) / 60) + 3 + spareHours,
    }));
  // Steps forward (mostly by one minute, sometimes by a gap, sometimes the same minute again) with counts, and
  // now and then a correction (add or set) of a minute up to 120 back.
  const stepArb = fc.record({
    correction: fc.oneof(
      { weight: 5, arbitrary: fc.constant(undefined) },
      {
        weight: 1,
        arbitrary: fc.record({ back: fc.integer({ min: 0, max: 120 }), replace: fc.boolean() }),
      },
    ),
    advance: fc.oneof(
      { weight: 6, arbitrary: fc.constant(1) },
      { weight: 2, arbitrary: fc.constant(0) },
      { weight: 2, arbitrary: fc.integer({ min: 2, max: 90 }) },
      { weight: 1, arbitrary: fc.integer({ min: 91, max: 700 }) },
    ),
    // Mostly small counts; now and then one that widens a channel (past 8 and 16 bits, past 2^32).
    total: fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 1000 }), weight: 8 },
      { arbitrary: fc.integer({ min: 0, max: 100_000 }), weight: 1 },
      { arbitrary: fc.integer({ min: 0, max: 2 ** 34 }), weight: 1 },
    ),
    badShare: fc.double({ min: 0, max: 1, noNaN: true }),
  });

  it('gives the naive sum over the range it reports, and that range is the one asked for within the minute ring', () => {
    fc.assert(
      fc.property(
        capacityArb,
        fc.integer({ min: 0, max: 59 }),
        fc.array(stepArb, { minLength: 1, maxLength: 400 }),
        fc.array(
          fc.tuple(fc.double({ min: -0.1, max: 1.1, noNaN: true }), fc.integer({ min: 0, max: 900 })),
          {
            minLength: 1,
            maxLength: 20,
          },
        ),
        (capacity, offset, steps, queries) => {
          const store = new RollingCounts(capacity);
          const naive = new Map<number, { total: number; bad: number }>();
          let minute = T0 + offset;
          const first = T0 + offset;
          steps.forEach((step, i) => {
            const bad = Math.floor(step.total * step.badShare);
            if (i > 0 && step.correction) {
              const target = minute - step.correction.back;
              const startsItsSums = target % 60 === 0 || target === first;
              const correctable =
                target >= first && target > minute - capacity.minuteSlots + (startsItsSums ? 0 : 1);
              const accepted = step.correction.replace
                ? store.set(target, step.total, bad)
                : store.add(target, step.total, bad);
              expect(accepted).toBe(correctable);
              if (!accepted) return;
              const seen = step.correction.replace
                ? { total: 0, bad: 0 }
                : (naive.get(target) ?? { total: 0, bad: 0 });
              naive.set(target, { total: seen.total + step.total, bad: seen.bad + bad });
              return;
            }
            if (i > 0) minute += step.advance;
            expect(store.add(minute, step.total, bad)).toBe(true);
            const seen = naive.get(minute) ?? { total: 0, bad: 0 };
            naive.set(minute, { total: seen.total + step.total, bad: seen.bad + bad });
          });
          const last = minute;
          for (const [position, length] of queries) {
            const from = Math.floor(first + position * (last - first + 1)) - 5;
            const to = from + length;
            const result = store.sum(from, to);
            let total = 0;
            let bad = 0;
            let minutesWithData = 0;
            for (const [m, counts] of naive) {
              if (m < result.fromMinute || m >= result.toMinute) continue;
              total += counts.total;
              bad += counts.bad;
              if (counts.total > 0) minutesWithData += 1;
            }
            expect({ total: result.total, bad: result.bad, minutesWithData: result.minutesWithData }).toEqual(
              {
                total,
                bad,
                minutesWithData,
              },
            );
            // Never reads outside the range asked for, and loses less than an hour at its old end while kept.
            expect(result.fromMinute).toBeGreaterThanOrEqual(Math.min(from, to));
            expect(result.toMinute).toBeLessThanOrEqual(Math.max(from, to));
            // Before the first minute nothing was stored: exact while the hour ring still holds every hour since.
            const firstHourHeld = Math.floor(first / 60) >= Math.floor(last / 60) - capacity.hourSlots + 1;
            const withinMinuteRing = (x: number) =>
              x - 1 > last - capacity.minuteSlots || x > last || (x <= first && firstHourHeld);
            if (withinMinuteRing(from) && to > from) expect(result.fromMinute).toBe(from);
            if (withinMinuteRing(to) && to > from) expect(result.toMinute).toBe(to);
            const oldestKeptBoundary = (Math.floor(last / 60) - capacity.hourSlots + 2) * 60;
            if (from >= oldestKeptBoundary && result.toMinute > result.fromMinute) {
              expect(result.fromMinute - from).toBeLessThan(60);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it('never splits an hour loaded in bulk, and gives the naive sum over the range it reports', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ total: fc.integer({ min: 0, max: 600 }), minutes: fc.integer({ min: 0, max: 60 }) }),
          {
            maxLength: 6,
          },
        ),
        fc.array(
          fc.record({ advance: fc.integer({ min: 0, max: 70 }), total: fc.integer({ min: 0, max: 50 }) }),
          {
            maxLength: 200,
          },
        ),
        fc.array(fc.tuple(fc.integer({ min: -30, max: 700 }), fc.integer({ min: 0, max: 700 })), {
          minLength: 1,
          maxLength: 10,
        }),
        (hours, steps, queries) => {
          const capacity = { hourSlots: 8, minuteSlots: 120 };
          const store = new RollingCounts(capacity);
          const naive = new Map<number, { total: number; withData: number }>();
          hours.forEach((hour, i) => {
            const withData = hour.total > 0 ? Math.max(1, hour.minutes) : 0;
            expect(store.addHour(T0 / 60 + i, hour.total, 0, withData)).toBe(true);
            naive.set(T0 + 60 * i, { total: hour.total, withData });
          });
          let minute = T0 + 60 * hours.length;
          for (const step of steps) {
            minute += step.advance;
            store.add(minute, step.total, 0);
            const seen = naive.get(minute) ?? { total: 0, withData: 0 };
            naive.set(minute, {
              total: seen.total + step.total,
              withData: step.total > 0 ? 1 : seen.withData,
            });
          }
          const loadedUntil = T0 + 60 * hours.length;
          for (const [offset, length] of queries) {
            const result = store.sum(T0 + offset, T0 + offset + length);
            for (const edge of result.toMinute > result.fromMinute
              ? [result.fromMinute, result.toMinute]
              : []) {
              if (edge > T0 && edge < loadedUntil) expect(edge % 60).toBe(0);
            }
            let total = 0;
            let minutesWithData = 0;
            for (const [m, counts] of naive) {
              if (m < result.fromMinute || m >= result.toMinute) continue;
              total += counts.total;
              minutesWithData += counts.withData;
            }
            expect([result.total, result.minutesWithData]).toEqual([total, minutesWithData]);
          }
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);
});

describe('rolling counts in steady state', () => {
  it('keeps every window of the default policy up to a day exact at every tick, across hour edges, for three days', () => {
    const store = new RollingCounts(capacityForSlo(30 * 86400, 3 * 86400));
    const perMinute: { total: number; bad: number }[] = [];
    const windows = [5, 30, 60, 120, 360, 1440];
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31);
    for (let i = 0; i < 3 * 1440; i++) {
      // Quiet hours, bursts past 16 bits, and the engine's re-read of the minute before.
      const total = i % 600 < 30 ? 0 : i % 997 === 0 ? 70_000 + (next() % 1000) : next() % 50;
      const bad = total === 0 ? 0 : next() % 4 === 0 ? Math.min(total, next() % 5) : 0;
      perMinute.push({ total, bad });
      expect(store.set(T0 + i, total, bad)).toBe(true);
      if (i > 0 && perMinute[i - 1]!.total > 0) {
        perMinute[i - 1]!.total += 1;
        expect(store.set(T0 + i - 1, perMinute[i - 1]!.total, perMinute[i - 1]!.bad)).toBe(true);
      }
      if (i % 7 !== 0) continue;
      for (const length of windows) {
        const from = Math.max(0, i + 1 - length);
        const naive = perMinute
          .slice(from, i + 1)
          .reduce<{ total: number; bad: number; minutesWithData: number }>(
            (sum, m) => ({
              total: sum.total + m.total,
              bad: sum.bad + m.bad,
              minutesWithData: sum.minutesWithData + (m.total > 0 ? 1 : 0),
            }),
            { total: 0, bad: 0, minutesWithData: 0 },
          );
        expect(store.windowSum(T0 + i + 1, length)).toEqual({
          ...naive,
          fromMinute: T0 + i + 1 - length,
          toMinute: T0 + i + 1,
        });
      }
    }
  });
});
