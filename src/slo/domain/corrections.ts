import rrulePackage from 'rrule';
import { Period } from './calendar-window.js';
import { floatingMs, instantOfWallTime, wallTimeAt, wallTimeOfFloating } from './zoned-time.js';

// rrule ships CommonJS whose named exports Node's ESM loader cannot see.
const { RRule } = rrulePackage;

/**
 * Budget corrections: time that is left out of the SLI and the error budget (a planned load test, a maintenance
 * window, an upstream outage), once or on a schedule. Pure: the ranges a correction covers within a period.
 */
export interface OneOffCorrection {
  kind: 'oneOff';
  startMs: number;
  endMs: number;
}

export interface RecurringCorrection {
  kind: 'recurring';
  /** The first occurrence's start, as wall time in `timeZone` (RFC 5545 DTSTART with TZID). */
  startWallMs: number;
  durationMs: number;
  /** RFC 5545 RRULE value, e.g. "FREQ=WEEKLY;BYDAY=SU". */
  rrule: string;
  timeZone: string;
}

export type Correction = OneOffCorrection | RecurringCorrection;

const FREQUENCIES = ['HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];
const WEEKDAY = '(?:[+-]?(?:[1-9]|[1-4]\\d|5[0-3]))?(?:MO|TU|WE|TH|FR|SA|SU)';
const intList =
  (min: number, max: number, signed = false) =>
  (value: string) =>
    value.split(',').every((item) => {
      if (!/^[+-]?\d{1,3}$/.test(item) || (!signed && /^[+-]/.test(item))) return false;
      const n = Math.abs(Number(item));
      return n >= min && n <= max && (signed || Number(item) >= min);
    });

/** The RRULE parts Burnwatch accepts and how each value must look (RFC 5545 §3.3.10). */
const RULE_PARTS: Record<string, { check: (value: string) => boolean; expect: string }> = {
  FREQ: {
    check: (v) => FREQUENCIES.includes(v),
    expect: `one of ${FREQUENCIES.join(', ')} (finer ones would correct nearly all the time)`,
  },
  INTERVAL: { check: (v) => /^[1-9]\d{0,3}$/.test(v), expect: 'a whole number from 1' },
  COUNT: { check: (v) => /^[1-9]\d{0,4}$/.test(v), expect: 'a whole number from 1' },
  UNTIL: {
    check: (v) => /^\d{8}(T\d{6}Z?)?$/.test(v),
    expect: 'a date (20261231) or a UTC date-time (20261231T235959Z)',
  },
  BYDAY: {
    check: (v) => new RegExp(`^${WEEKDAY}(?:,${WEEKDAY})*$`).test(v),
    expect: 'weekdays such as MO,TU or 1SU, -1FR',
  },
  BYMONTHDAY: {
    check: intList(1, 31, true),
    expect: 'days of the month from 1 to 31 (or -1 to -31 from the end)',
  },
  BYMONTH: { check: intList(1, 12), expect: 'months from 1 to 12' },
  BYHOUR: { check: intList(0, 23), expect: 'hours from 0 to 23' },
  BYMINUTE: { check: intList(0, 59), expect: 'minutes from 0 to 59' },
  BYSETPOS: { check: intList(1, 366, true), expect: 'positions from 1 to 366 (or negative from the end)' },
  WKST: { check: (v) => /^(MO|TU|WE|TH|FR|SA|SU)$/.test(v), expect: 'a weekday such as MO' },
};

/** What is wrong with an RRULE value, in words; undefined when Burnwatch accepts it. */
export function rruleProblem(rule: string): string | undefined {
  const text = rule.replace(/^RRULE:/i, '');
  if (!text) return 'must not be empty (e.g. "FREQ=WEEKLY;BYDAY=SU")';
  const seen = new Set<string>();
  for (const part of text.split(';')) {
    const [name, value, extra] = part.split('=');
    const spec = name ? RULE_PARTS[name.toUpperCase()] : undefined;
    if (!spec || value === undefined || extra !== undefined) {
      return `"${part}" is not a supported RRULE part (${Object.keys(RULE_PARTS).join(', ')})`;
    }
    const key = name!.toUpperCase();
    if (seen.has(key)) return `${key} is given twice`;
    seen.add(key);
    if (!spec.check(value.toUpperCase())) return `${key} must be ${spec.expect}, not "${value}"`;
  }
  if (!seen.has('FREQ')) return 'FREQ is required (e.g. "FREQ=WEEKLY;BYDAY=SU")';
  if (seen.has('COUNT') && seen.has('UNTIL')) return 'COUNT and UNTIL cannot both be given (RFC 5545)';
  return undefined;
}

/**
 * The ranges a correction covers that overlap [from, to), clipped to it, sorted, overlaps merged. A recurring
 * correction's occurrences start at their wall time in the zone (a start skipped by a clock change moves forward
 * with the clock) and last `durationMs` of real time, so a 2-hour window on the night clocks change is 2 hours.
 */
export function correctionRanges(correction: Correction, period: Period): Period[] {
  if (correction.kind === 'oneOff') {
    return clip([{ startMs: correction.startMs, endMs: correction.endMs }], period);
  }
  const { timeZone, durationMs } = correction;
  const options = RRule.parseString(correction.rrule.replace(/^RRULE:/i, '').toUpperCase());
  if (options.until) {
    // UNTIL is UTC (or a date); the rule iterates in floating wall time, so compare in the zone's wall time.
    options.until = new Date(floatingMs(wallTimeAt(options.until.getTime(), timeZone)));
  }
  const rule = new RRule({ ...options, dtstart: new Date(correction.startWallMs) });
  // Floating bounds a day wider than the period: a zone's offset is under a day, and an occurrence that began
  // before the period can still reach into it.
  const fromFloating = floatingMs(wallTimeAt(period.startMs, timeZone)) - 86_400_000 - durationMs;
  const toFloating = floatingMs(wallTimeAt(period.endMs, timeZone)) + 86_400_000;
  const ranges = rule.between(new Date(fromFloating), new Date(toFloating), true).map((floating) => {
    const startMs = instantOfWallTime(wallTimeOfFloating(floating.getTime()), timeZone);
    return { startMs, endMs: startMs + durationMs };
  });
  return clip(ranges, period);
}

/** All corrections of an SLO over a period, as one sorted list of disjoint ranges. */
export function correctedRanges(corrections: Correction[], period: Period): Period[] {
  return merge(corrections.flatMap((c) => correctionRanges(c, period)));
}

/** How much of a period the ranges cover, in milliseconds. */
export function coveredMs(ranges: Period[]): number {
  return merge(ranges).reduce((sum, r) => sum + (r.endMs - r.startMs), 0);
}

function clip(ranges: Period[], period: Period): Period[] {
  return merge(
    ranges
      .map((r) => ({ startMs: Math.max(r.startMs, period.startMs), endMs: Math.min(r.endMs, period.endMs) }))
      .filter((r) => r.endMs > r.startMs),
  );
}

function merge(ranges: Period[]): Period[] {
  const sorted = [...ranges].sort((a, b) => a.startMs - b.startMs);
  const merged: Period[] = [];
  for (const range of sorted) {
    const last = merged[merged.length - 1];
    if (last && range.startMs <= last.endMs) last.endMs = Math.max(last.endMs, range.endMs);
    else merged.push({ ...range });
  }
  return merged;
}

/** Whole minutes [fromMinute, toMinute) since the epoch. */
export interface MinuteRange {
  fromMinute: number;
  toMinute: number;
}

/**
 * The minutes corrected ranges touch: every minute a range covers any part of is left out whole, since counts are
 * kept per minute. Sorted and disjoint.
 */
export function correctedMinuteRanges(ranges: Period[]): MinuteRange[] {
  const minutes = merge(
    ranges.map((r) => ({ startMs: Math.floor(r.startMs / 60_000), endMs: Math.ceil(r.endMs / 60_000) })),
  );
  return minutes.map((r) => ({ fromMinute: r.startMs, toMinute: r.endMs }));
}

/** Whether a minute lies in one of the sorted, disjoint ranges (binary search). */
export function isCorrectedMinute(ranges: readonly MinuteRange[], minute: number): boolean {
  let low = 0;
  let high = ranges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (ranges[middle]!.toMinute <= minute) low = middle + 1;
    else high = middle;
  }
  return low < ranges.length && ranges[low]!.fromMinute <= minute;
}

/** How many of the minutes [fromMinute, toMinute) the ranges cover. */
export function minutesCovered(
  excluded: readonly MinuteRange[],
  fromMinute: number,
  toMinute: number,
): number {
  let covered = 0;
  for (const r of excluded)
    covered += Math.max(0, Math.min(toMinute, r.toMinute) - Math.max(fromMinute, r.fromMinute));
  return covered;
}

/**
 * A window sum with the corrected minutes left out: the window's sum minus the sums of the corrected ranges
 * within it. `excluded` must be disjoint (as `correctedMinuteRanges` gives them).
 */
export function excludingMinutes<T extends { total: number; bad: number; requests?: number }>(
  sum: (fromMinute: number, toMinute: number) => T,
  excluded: readonly MinuteRange[],
): (fromMinute: number, toMinute: number) => T {
  if (excluded.length === 0) return sum;
  return (fromMinute, toMinute) => {
    const whole = { ...sum(fromMinute, toMinute) };
    for (const r of excluded) {
      const from = Math.max(fromMinute, r.fromMinute);
      const to = Math.min(toMinute, r.toMinute);
      if (to <= from) continue;
      const part = sum(from, to);
      whole.total -= part.total;
      whole.bad -= part.bad;
      if (whole.requests !== undefined && part.requests !== undefined) whole.requests -= part.requests;
    }
    // PromQL extrapolates each range on its own: the difference can dip just below zero.
    whole.total = Math.max(0, whole.total);
    whole.bad = Math.min(whole.total, Math.max(0, whole.bad));
    return whole;
  };
}
