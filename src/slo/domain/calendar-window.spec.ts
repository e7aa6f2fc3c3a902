import { describe, expect, it } from 'vitest';
import { CalendarWindow, calendarPeriodAt, namedPeriod, parseWallTime } from './calendar-window.js';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000', '');
const period = (p: { startMs: number; endMs: number } | undefined) => p && [iso(p.startMs), iso(p.endMs)];

describe('calendar periods', () => {
  it.each([
    {
      name: 'a March month in Berlin runs from midnight CET on the 1st to midnight CEST on 1 April',
      at: '2026-03-15T12:00:00Z',
      calendar: 'month',
      zone: 'Europe/Berlin',
      period: ['2026-02-28T23:00:00Z', '2026-03-31T22:00:00Z'],
    },
    {
      name: 'half an hour after midnight of 1 December in Berlin is already December (the budget has reset)',
      at: '2026-11-30T23:30:00Z',
      calendar: 'month',
      zone: 'Europe/Berlin',
      period: ['2026-11-30T23:00:00Z', '2026-12-31T23:00:00Z'],
    },
    {
      name: 'half an hour before midnight of 1 December in Berlin is still November',
      at: '2026-11-30T22:30:00Z',
      calendar: 'month',
      zone: 'Europe/Berlin',
      period: ['2026-10-31T23:00:00Z', '2026-11-30T23:00:00Z'],
    },
    {
      name: 'the ISO week with the spring-forward Sunday starts Monday and is an hour short',
      at: '2026-03-29T12:00:00Z',
      calendar: 'week',
      zone: 'Europe/Berlin',
      period: ['2026-03-22T23:00:00Z', '2026-03-29T22:00:00Z'],
    },
    {
      name: 'a quarter in UTC: the fourth runs from 1 October to 1 January',
      at: '2026-11-15T00:00:00Z',
      calendar: 'quarter',
      zone: 'UTC',
      period: ['2026-10-01T00:00:00Z', '2027-01-01T00:00:00Z'],
    },
    {
      name: 'a February in New York, a leap year',
      at: '2028-02-29T12:00:00Z',
      calendar: 'month',
      zone: 'America/New_York',
      period: ['2028-02-01T05:00:00Z', '2028-03-01T05:00:00Z'],
    },
  ] as const)('$name', ({ at, calendar, zone, period: expected }) => {
    expect(period(calendarPeriodAt(Date.parse(at), { calendar, timeZone: zone }))).toEqual(expected);
  });

  it.each([
    {
      name: 'a month by its name',
      text: '2026-11',
      zone: 'Europe/Berlin',
      period: ['2026-10-31T23:00:00Z', '2026-11-30T23:00:00Z'],
    },
    {
      name: 'a quarter by its name',
      text: '2026-Q1',
      zone: 'UTC',
      period: ['2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z'],
    },
    {
      name: 'ISO week 1 of 2026 begins on Monday 29 December 2025',
      text: '2026-W01',
      zone: 'UTC',
      period: ['2025-12-29T00:00:00Z', '2026-01-05T00:00:00Z'],
    },
    {
      name: '2026 is a long ISO year: week 53 exists',
      text: '2026-W53',
      zone: 'UTC',
      period: ['2026-12-28T00:00:00Z', '2027-01-04T00:00:00Z'],
    },
    { name: '2025 has no week 53', text: '2025-W53', zone: 'UTC', period: undefined },
    { name: 'month 13 is no month', text: '2026-13', zone: 'UTC', period: undefined },
    { name: 'a day is not a period', text: '2026-11-02', zone: 'UTC', period: undefined },
  ])('$name', ({ text, zone, period: expected }) => {
    expect(period(namedPeriod(text, zone))).toEqual(expected);
  });
});

describe('calendar periods anchored at an OpenSLO startTime', () => {
  const iso = (ms: number) => new Date(ms).toISOString();
  const period = (atIso: string, window: CalendarWindow) => {
    const p = calendarPeriodAt(Date.parse(atIso), window);
    return [iso(p.startMs), iso(p.endMs)];
  };
  it.each([
    {
      name: 'weeks from Saturday noon in New York (the OpenSLO SDK examples)',
      at: '2026-12-03T10:00:00Z',
      window: { calendar: 'week' as const, timeZone: 'America/New_York', start: '2022-01-01 12:00:00' },
      expected: ['2026-11-28T17:00:00.000Z', '2026-12-05T17:00:00.000Z'],
    },
    {
      name: 'a week across the spring clock change is an hour shorter',
      at: '2026-03-10T00:00:00Z',
      window: { calendar: 'week' as const, timeZone: 'America/New_York', start: '2022-01-01 12:00:00' },
      expected: ['2026-03-07T17:00:00.000Z', '2026-03-14T16:00:00.000Z'],
    },
    {
      name: 'months from the 31st fall back to the last day of shorter months',
      at: '2026-02-15T00:00:00Z',
      window: { calendar: 'month' as const, timeZone: 'UTC', start: '2026-01-31 00:00:00' },
      expected: ['2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z'],
    },
    {
      name: 'quarters from mid-February, before the anchor too',
      at: '2025-12-01T00:00:00Z',
      window: { calendar: 'quarter' as const, timeZone: 'UTC', start: '2026-02-15 06:00:00' },
      expected: ['2025-11-15T06:00:00.000Z', '2026-02-15T06:00:00.000Z'],
    },
    {
      name: 'an instant exactly at a period start belongs to the new period',
      at: '2026-11-28T17:00:00Z',
      window: { calendar: 'week' as const, timeZone: 'America/New_York', start: '2022-01-01 12:00:00' },
      expected: ['2026-11-28T17:00:00.000Z', '2026-12-05T17:00:00.000Z'],
    },
  ])('$name', ({ at, window, expected }) => {
    expect(period(at, window)).toEqual(expected);
  });

  it.each(['2022-02-30 00:00:00', '2022-01-01 24:00:00', 'yesterday', '2022-01-01'])(
    'does not read "%s" as a wall time',
    (text) => {
      expect(parseWallTime(text)).toBeUndefined();
    },
  );
});
