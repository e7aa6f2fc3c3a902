import { WallTime, floatingMs, instantOfWallTime, wallTimeAt, wallTimeOfFloating } from './zoned-time.js';

/** Calendar budgeting periods: the budget resets at the start of each, at midnight in the SLO's time zone. */
export const CALENDAR_UNITS = ['week', 'month', 'quarter'] as const;
export type CalendarUnit = (typeof CALENDAR_UNITS)[number];

export interface CalendarWindow {
  calendar: CalendarUnit;
  /** IANA time zone the period boundaries are midnight in. */
  timeZone: string;
  /**
   * Wall time ("2022-01-01 12:00:00") one period starts at, as OpenSLO's `calendar.startTime`: periods then run
   * from there in steps of a week, a month or a quarter. Without it: midnight of the 1st (of a Monday for weeks).
   */
  start?: string;
}

const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/;

/** "2022-01-01 12:00:00" as a wall time; undefined when it is not one. */
export function parseWallTime(text: string): WallTime | undefined {
  const m = WALL_TIME.exec(text);
  if (!m) return undefined;
  const wall = {
    year: +m[1]!,
    month: +m[2]!,
    day: +m[3]!,
    hour: +m[4]!,
    minute: +m[5]!,
    second: +(m[6] ?? 0),
  };
  const back = wallTimeOfFloating(floatingMs(wall));
  return back.month === wall.month &&
    back.day === wall.day &&
    wall.hour < 24 &&
    wall.minute < 60 &&
    wall.second < 60
    ? wall
    : undefined;
}

export interface Period {
  startMs: number;
  endMs: number;
}

const midnight = (year: number, month: number, day: number): WallTime => ({
  year,
  month,
  day,
  hour: 0,
  minute: 0,
  second: 0,
});

/** The first day (as a date, normalised through Date.UTC) of the period containing the given local date. */
function periodStartDate(unit: CalendarUnit, local: WallTime): { year: number; month: number; day: number } {
  if (unit === 'month') return { year: local.year, month: local.month, day: 1 };
  if (unit === 'quarter') return { year: local.year, month: local.month - ((local.month - 1) % 3), day: 1 };
  // ISO 8601 weeks start on Monday.
  const weekday = (new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay() + 6) % 7;
  const monday = new Date(Date.UTC(local.year, local.month - 1, local.day - weekday));
  return { year: monday.getUTCFullYear(), month: monday.getUTCMonth() + 1, day: monday.getUTCDate() };
}

function addPeriod(unit: CalendarUnit, date: { year: number; month: number; day: number }, count: number) {
  const d =
    unit === 'week'
      ? new Date(Date.UTC(date.year, date.month - 1, date.day + 7 * count))
      : new Date(Date.UTC(date.year, date.month - 1 + (unit === 'month' ? 1 : 3) * count, 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The calendar period that contains an instant: [midnight of its first day, midnight of the next period's). */
export function calendarPeriodAt(instantMs: number, window: CalendarWindow, offset = 0): Period {
  if (window.start !== undefined) return anchoredPeriodAt(instantMs, window, offset);
  const first = addPeriod(
    window.calendar,
    periodStartDate(window.calendar, wallTimeAt(instantMs, window.timeZone)),
    offset,
  );
  const next = addPeriod(window.calendar, first, 1);
  return {
    startMs: instantOfWallTime(midnight(first.year, first.month, first.day), window.timeZone),
    endMs: instantOfWallTime(midnight(next.year, next.month, next.day), window.timeZone),
  };
}

/** The k-th period from the anchor (k may be negative), as a wall time: months keep the anchor's day, clamped. */
function anchoredStart(anchor: WallTime, unit: CalendarUnit, k: number): WallTime {
  if (unit === 'week') return wallTimeOfFloating(floatingMs(anchor) + k * 7 * 86_400_000);
  const months = anchor.month - 1 + k * (unit === 'month' ? 1 : 3);
  const year = anchor.year + Math.floor(months / 12);
  const month = (((months % 12) + 12) % 12) + 1;
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { ...anchor, year, month, day: Math.min(anchor.day, lastDay) };
}

function anchoredPeriodAt(instantMs: number, window: CalendarWindow, offset: number): Period {
  const anchor = parseWallTime(window.start!)!;
  const local = wallTimeAt(instantMs, window.timeZone);
  let k =
    window.calendar === 'week'
      ? Math.floor((floatingMs(local) - floatingMs(anchor)) / (7 * 86_400_000))
      : Math.floor(
          ((local.year - anchor.year) * 12 + local.month - anchor.month) /
            (window.calendar === 'month' ? 1 : 3),
        );
  const startOf = (i: number) =>
    instantOfWallTime(anchoredStart(anchor, window.calendar, i), window.timeZone);
  while (startOf(k) > instantMs) k--;
  while (startOf(k + 1) <= instantMs) k++;
  return { startMs: startOf(k + offset), endMs: startOf(k + offset + 1) };
}

/** A named period ("2026-11", "2026-W48", "2026-Q4") in a time zone, for reports. Undefined when it does not parse. */
export function namedPeriod(
  name: string,
  timeZone: string,
): (Period & { calendar: CalendarUnit }) | undefined {
  let match = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(name);
  if (match) {
    const start = instantOfWallTime(midnight(Number(match[1]), Number(match[2]), 1), timeZone);
    return { calendar: 'month', ...calendarPeriodAt(start, { calendar: 'month', timeZone }) };
  }
  match = /^(\d{4})-Q([1-4])$/.exec(name);
  if (match) {
    const start = instantOfWallTime(midnight(Number(match[1]), (Number(match[2]) - 1) * 3 + 1, 1), timeZone);
    return { calendar: 'quarter', ...calendarPeriodAt(start, { calendar: 'quarter', timeZone }) };
  }
  match = /^(\d{4})-W(0[1-9]|[1-4]\d|5[0-3])$/.exec(name);
  if (match) {
    // ISO week 1 is the week with the year's first Thursday, i.e. the one containing 4 January.
    const year = Number(match[1]);
    const week = Number(match[2]);
    const jan4 = instantOfWallTime(midnight(year, 1, 4), timeZone);
    const period = calendarPeriodAt(jan4, { calendar: 'week', timeZone }, week - 1);
    // Week 53 exists only in long years.
    const thursday = wallTimeAt(period.startMs + 3.5 * 86_400_000, timeZone);
    if (thursday.year !== year) return undefined;
    return { calendar: 'week', ...period };
  }
  return undefined;
}
