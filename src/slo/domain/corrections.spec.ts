import { describe, expect, it } from 'vitest';
import {
  Correction,
  correctedMinuteRanges,
  correctedRanges,
  correctionRanges,
  coveredMs,
  excludingMinutes,
  minutesCovered,
  rruleProblem,
} from './corrections.js';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
const at = (text: string) => Date.parse(text);
const floating = (text: string) => Date.parse(`${text}Z`);
const period = (from: string, to: string) => ({ startMs: at(from), endMs: at(to) });
const HOUR = 3_600_000;
const ranges = (correction: Correction, p: { startMs: number; endMs: number }) =>
  correctionRanges(correction, p).map((r) => `${iso(r.startMs)}/${iso(r.endMs)}`);

describe('recurring corrections', () => {
  const sundayNights: Correction = {
    kind: 'recurring',
    startWallMs: floating('2026-03-01T02:00:00'),
    durationMs: 2 * HOUR,
    rrule: 'FREQ=WEEKLY;BYDAY=SU',
    timeZone: 'Europe/Berlin',
  };

  it('every Sunday 02:00–04:00 Berlin through the spring-forward night: the skipped 02:00 starts at 03:00 CEST and lasts two real hours', () => {
    expect(ranges(sundayNights, period('2026-03-01T00:00:00Z', '2026-04-06T00:00:00Z'))).toEqual([
      '2026-03-01T01:00:00Z/2026-03-01T03:00:00Z',
      '2026-03-08T01:00:00Z/2026-03-08T03:00:00Z',
      '2026-03-15T01:00:00Z/2026-03-15T03:00:00Z',
      '2026-03-22T01:00:00Z/2026-03-22T03:00:00Z',
      '2026-03-29T01:00:00Z/2026-03-29T03:00:00Z',
      '2026-04-05T00:00:00Z/2026-04-05T02:00:00Z',
    ]);
  });

  it('every Sunday 02:00–04:00 Berlin through the fall-back night: the repeated 02:00 is the first (CEST) one', () => {
    expect(ranges(sundayNights, period('2026-10-18T00:00:00Z', '2026-11-02T00:00:00Z'))).toEqual([
      '2026-10-18T00:00:00Z/2026-10-18T02:00:00Z',
      '2026-10-25T00:00:00Z/2026-10-25T02:00:00Z',
      '2026-11-01T01:00:00Z/2026-11-01T03:00:00Z',
    ]);
  });

  it('the last day of every month 22:00 for four hours (UTC), seen from February: clipped at both month boundaries', () => {
    const monthEnds: Correction = {
      kind: 'recurring',
      startWallMs: floating('2026-01-31T22:00:00'),
      durationMs: 4 * HOUR,
      rrule: 'FREQ=MONTHLY;BYMONTHDAY=-1',
      timeZone: 'UTC',
    };
    expect(ranges(monthEnds, period('2026-02-01T00:00:00Z', '2026-03-01T00:00:00Z'))).toEqual([
      '2026-02-01T00:00:00Z/2026-02-01T02:00:00Z',
      '2026-02-28T22:00:00Z/2026-03-01T00:00:00Z',
    ]);
  });

  it('daily 01:30 New York for an hour across the fall-back night keeps one occurrence a day', () => {
    const nightly: Correction = {
      kind: 'recurring',
      startWallMs: floating('2026-10-31T01:30:00'),
      durationMs: HOUR,
      rrule: 'FREQ=DAILY',
      timeZone: 'America/New_York',
    };
    expect(ranges(nightly, period('2026-10-31T00:00:00Z', '2026-11-03T00:00:00Z'))).toEqual([
      '2026-10-31T05:30:00Z/2026-10-31T06:30:00Z',
      '2026-11-01T05:30:00Z/2026-11-01T06:30:00Z',
      '2026-11-02T06:30:00Z/2026-11-02T07:30:00Z',
    ]);
  });

  it.each([
    { name: 'COUNT=3 stops after three occurrences', rrule: 'FREQ=DAILY;COUNT=3', count: 3 },
    {
      name: 'UNTIL (UTC) is inclusive of an occurrence starting before it',
      rrule: 'FREQ=DAILY;UNTIL=20260304T010000Z',
      count: 4,
    },
    { name: 'INTERVAL=2 is every other day', rrule: 'FREQ=DAILY;INTERVAL=2', count: 5 },
  ])('$name', ({ rrule, count }) => {
    const correction: Correction = {
      kind: 'recurring',
      startWallMs: floating('2026-03-01T02:00:00'),
      durationMs: HOUR,
      rrule,
      timeZone: 'Europe/Berlin',
    };
    expect(correctionRanges(correction, period('2026-03-01T00:00:00Z', '2026-03-11T00:00:00Z'))).toHaveLength(
      count,
    );
  });

  it('an occurrence that began before the period still covers its start', () => {
    const correction: Correction = {
      kind: 'recurring',
      startWallMs: floating('2026-02-28T23:00:00'),
      durationMs: 2 * HOUR,
      rrule: 'FREQ=DAILY;COUNT=1',
      timeZone: 'UTC',
    };
    expect(ranges(correction, period('2026-03-01T00:00:00Z', '2026-03-02T00:00:00Z'))).toEqual([
      '2026-03-01T00:00:00Z/2026-03-01T01:00:00Z',
    ]);
  });
});

describe('one-off corrections and several together', () => {
  it('merges overlapping corrections, so no minute is left out twice', () => {
    const all: Correction[] = [
      { kind: 'oneOff', startMs: at('2026-11-03T10:00:00Z'), endMs: at('2026-11-03T12:00:00Z') },
      { kind: 'oneOff', startMs: at('2026-11-03T11:00:00Z'), endMs: at('2026-11-03T13:00:00Z') },
      { kind: 'oneOff', startMs: at('2026-10-31T23:00:00Z'), endMs: at('2026-11-01T01:00:00Z') },
    ];
    const november = period('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z');
    const merged = correctedRanges(all, november);
    expect(merged.map((r) => `${iso(r.startMs)}/${iso(r.endMs)}`)).toEqual([
      '2026-11-01T00:00:00Z/2026-11-01T01:00:00Z',
      '2026-11-03T10:00:00Z/2026-11-03T13:00:00Z',
    ]);
    expect(coveredMs(merged)).toBe(4 * HOUR);
  });
});

describe('RRULE validation', () => {
  it.each([
    { rule: 'FREQ=WEEKLY;BYDAY=SU', problem: undefined },
    { rule: 'RRULE:FREQ=MONTHLY;BYDAY=-1FR', problem: undefined },
    { rule: 'FREQ=MONTHLY;BYMONTHDAY=1,15;BYHOUR=2;BYMINUTE=30', problem: undefined },
    { rule: 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24;UNTIL=20301231', problem: undefined },
    { rule: '', problem: /must not be empty/ },
    { rule: 'BYDAY=MO', problem: /FREQ is required/ },
    { rule: 'FREQ=MINUTELY', problem: /FREQ must be one of HOURLY/ },
    { rule: 'FREQ=WEEKLY;BYDAY=XX', problem: /BYDAY must be weekdays/ },
    { rule: 'FREQ=DAILY;COUNT=abc', problem: /COUNT must be a whole number/ },
    { rule: 'FREQ=DAILY;COUNT=3;UNTIL=20261231', problem: /COUNT and UNTIL cannot both/ },
    { rule: 'FREQ=DAILY;FREQ=WEEKLY', problem: /FREQ is given twice/ },
    { rule: 'FREQ=DAILY;BYHOUR=24', problem: /BYHOUR must be hours from 0 to 23/ },
    { rule: 'FREQ=DAILY;BYMONTHDAY=0', problem: /BYMONTHDAY/ },
    { rule: 'every sunday', problem: /not a supported RRULE part/ },
  ])('"$rule"', ({ rule, problem }) => {
    if (problem === undefined) expect(rruleProblem(rule)).toBeUndefined();
    else expect(rruleProblem(rule)).toMatch(problem);
  });
});

describe('leaving corrected minutes out of window sums', () => {
  const MINUTE = 60_000;
  it.each([
    {
      name: 'a range on minute boundaries covers exactly its minutes',
      ranges: [{ startMs: 10 * MINUTE, endMs: 20 * MINUTE }],
      minutes: [{ fromMinute: 10, toMinute: 20 }],
    },
    {
      name: 'a range that touches part of a minute leaves that minute out whole',
      ranges: [{ startMs: 10 * MINUTE + 1, endMs: 19 * MINUTE + 30_000 }],
      minutes: [{ fromMinute: 10, toMinute: 20 }],
    },
    {
      name: 'ranges that share a minute merge',
      ranges: [
        { startMs: 0, endMs: 5 * MINUTE + 1 },
        { startMs: 5 * MINUTE + 2, endMs: 8 * MINUTE },
      ],
      minutes: [{ fromMinute: 0, toMinute: 8 }],
    },
    {
      name: 'separate ranges stay separate, sorted',
      ranges: [
        { startMs: 30 * MINUTE, endMs: 31 * MINUTE },
        { startMs: 0, endMs: MINUTE },
      ],
      minutes: [
        { fromMinute: 0, toMinute: 1 },
        { fromMinute: 30, toMinute: 31 },
      ],
    },
  ])('$name', ({ ranges, minutes }) => {
    expect(correctedMinuteRanges(ranges)).toEqual(minutes);
  });

  // 100 requests a minute, the bad ones in minutes 50–59 (a load test).
  const sum = (from: number, to: number) => {
    let total = 0;
    let bad = 0;
    for (let m = from; m < to; m++) {
      total += 100;
      if (m >= 50 && m < 60) bad += 100;
    }
    return { total, bad };
  };
  it.each([
    {
      name: 'a window holding the whole correction loses its events',
      from: 0,
      to: 120,
      excluded: [{ fromMinute: 50, toMinute: 60 }],
      expected: { total: 11_000, bad: 0 },
    },
    {
      name: 'a window holding part of it loses that part',
      from: 55,
      to: 65,
      excluded: [{ fromMinute: 50, toMinute: 60 }],
      expected: { total: 500, bad: 0 },
    },
    {
      name: 'a window outside it is untouched',
      from: 60,
      to: 70,
      excluded: [{ fromMinute: 50, toMinute: 60 }],
      expected: { total: 1000, bad: 0 },
    },
    {
      name: 'a window inside it holds nothing',
      from: 52,
      to: 58,
      excluded: [{ fromMinute: 50, toMinute: 60 }],
      expected: { total: 0, bad: 0 },
    },
    {
      name: 'no correction changes nothing',
      from: 0,
      to: 120,
      excluded: [],
      expected: { total: 12_000, bad: 1000 },
    },
    {
      name: 'two corrections are both left out',
      from: 0,
      to: 120,
      excluded: [
        { fromMinute: 0, toMinute: 10 },
        { fromMinute: 55, toMinute: 60 },
      ],
      expected: { total: 10_500, bad: 500 },
    },
  ])('$name', ({ from, to, excluded, expected }) => {
    expect(excludingMinutes(sum, excluded)(from, to)).toEqual(expected);
    // Every minute holds 100 requests: the minutes left out are the requests that went, in hundreds.
    expect(minutesCovered(excluded, from, to)).toBe(to - from - expected.total / 100);
  });
});
