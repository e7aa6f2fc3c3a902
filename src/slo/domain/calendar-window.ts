import { WallTime, instantOfWallTime, wallTimeAt } from './zoned-time.js';

/** Calendar budgeting periods: the budget resets at the start of each, at midnight in the SLO's time zone. */
export const CALENDAR_UNITS = ['week', 'month', 'quarter'] as const;
export type CalendarUnit = (typeof CALENDAR_UNITS)[number];

export interface CalendarWindow {
  calendar: CalendarUnit;
  /** IANA time zone the period boundaries are midnight in. */
  timeZone: string;
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
