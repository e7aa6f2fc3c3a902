import type { FieldError } from '../../common/field-error.js';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '../../common/storable-text.js';
import { parseTimeParam } from '../../common/time-param.js';
import { Correction, correctionRanges, rruleProblem } from './corrections.js';
import { parseDurationSeconds } from './duration.js';
import { floatingMs, instantOfWallTime, isTimeZone, wallTimeAt, wallTimeOfFloating } from './zoned-time.js';

/**
 * A budget correction as the API takes it, checked field by field. Two shapes:
 * one-off `{ start, end, reason }` (ISO 8601 times with a zone) and recurring
 * `{ start, duration, rrule, timeZone, reason }` where `start` is the first occurrence's wall time in `timeZone`.
 */
export interface CorrectionInput {
  correction: Correction;
  reason: string;
  createdBy: string;
}

const ONE_OFF_FIELDS = ['start', 'end', 'reason', 'createdBy'];
const RECURRING_FIELDS = ['start', 'duration', 'rrule', 'timeZone', 'reason', 'createdBy'];
const MAX_REASON = 1000;
const MAX_CREATED_BY = 253;
const MINUTE_MS = 60_000;
/** A one-off correction longer than a year would leave out more than any SLO window holds. */
const MAX_ONE_OFF_MS = 366 * 86_400_000;
const MAX_OCCURRENCE_MS = 31 * 86_400_000;
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/;
const ISO_DURATION = /^PT?(?:(\d+)D)?T?(?:(\d+)H)?(?:(\d+)M)?$/i;
/** How many days of occurrences are expanded to check a rule: enough to see a leap day, few enough to be cheap. */
const PROBE_DAYS: Record<string, number> = { HOURLY: 31, DAILY: 2 * 366 };

export function parseCorrectionInput(body: unknown): CorrectionInput | FieldError[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [{ field: '(body)', message: 'must be a JSON object' }];
  }
  const input = body as Record<string, unknown>;
  const recurring = 'rrule' in input || 'duration' in input || 'timeZone' in input;
  const allowed = recurring ? RECURRING_FIELDS : ONE_OFF_FIELDS;
  const errors: FieldError[] = Object.keys(input)
    .filter((key) => !allowed.includes(key))
    .map((field) => ({
      field,
      message: recurring
        ? `is not a field of a recurring correction (${RECURRING_FIELDS.join(', ')})`
        : `is not a field of a one-off correction (${ONE_OFF_FIELDS.join(', ')}; a recurring one has rrule, duration and timeZone)`,
    }));

  const reason = text(input, 'reason', MAX_REASON, true, errors);
  const createdBy = text(input, 'createdBy', MAX_CREATED_BY, false, errors) ?? 'api';
  const correction = recurring ? recurringCorrection(input, errors) : oneOffCorrection(input, errors);
  if (errors.length > 0 || correction === undefined || reason === undefined) return errors;
  return { correction, reason, createdBy };
}

function oneOffCorrection(input: Record<string, unknown>, errors: FieldError[]): Correction | undefined {
  const start = instant(input, 'start', errors);
  const end = instant(input, 'end', errors);
  if (start === undefined || end === undefined) return undefined;
  if (end <= start) {
    errors.push({ field: 'end', message: 'must be after start' });
    return undefined;
  }
  if (end - start > MAX_ONE_OFF_MS) {
    errors.push({ field: 'end', message: 'must be at most 366 days after start' });
    return undefined;
  }
  return { kind: 'oneOff', startMs: start, endMs: end };
}

function recurringCorrection(input: Record<string, unknown>, errors: FieldError[]): Correction | undefined {
  const timeZone = input.timeZone;
  let zone: string | undefined;
  if (typeof timeZone !== 'string' || timeZone === '') {
    errors.push({
      field: 'timeZone',
      message: 'is required: an IANA time zone such as "Europe/Berlin" or "UTC"',
    });
  } else if (!isTimeZone(timeZone)) {
    errors.push({
      field: 'timeZone',
      message: `"${timeZone}" is not an IANA time zone (e.g. "Europe/Berlin")`,
    });
  } else zone = timeZone;

  let rrule: string | undefined;
  if (typeof input.rrule !== 'string') {
    errors.push({ field: 'rrule', message: 'is required: an RFC 5545 RRULE such as "FREQ=WEEKLY;BYDAY=SU"' });
  } else {
    const problem = rruleProblem(input.rrule);
    if (problem) errors.push({ field: 'rrule', message: problem });
    else rrule = input.rrule.replace(/^RRULE:/i, '').toUpperCase();
  }

  const durationMs = duration(input.duration, errors);
  const startWallMs = zone === undefined ? undefined : wallStart(input.start, zone, errors);
  if (zone === undefined || rrule === undefined || durationMs === undefined || startWallMs === undefined) {
    return undefined;
  }
  const correction: Correction = { kind: 'recurring', startWallMs, durationMs, rrule, timeZone: zone };
  const frequency = /FREQ=(\w+)/.exec(rrule)![1]!;
  const firstMs = instantOfWallTime(wallTimeOfFloating(startWallMs), zone);
  const probe = correctionRanges(correction, {
    startMs: firstMs,
    endMs: firstMs + (PROBE_DAYS[frequency] ?? 8 * 366) * 86_400_000,
  });
  // A rule valid in its parts can still produce nothing (BYMONTHDAY=31;BYMONTH=2), or occurrences that run into
  // each other, which would leave out one unbroken stretch nobody asked for.
  if (probe.length === 0) {
    errors.push({ field: 'rrule', message: 'produces no occurrence after start' });
    return undefined;
  }
  if (probe.some((range) => range.endMs - range.startMs > durationMs)) {
    errors.push({
      field: 'duration',
      message: 'must be shorter than the time between two occurrences: these would overlap or touch',
    });
    return undefined;
  }
  return correction;
}

function instant(input: Record<string, unknown>, field: string, errors: FieldError[]): number | undefined {
  const value = input[field];
  if (typeof value !== 'string') {
    errors.push({ field, message: 'is required: an ISO 8601 time with a zone, like 2026-11-14T02:00:00Z' });
    return undefined;
  }
  const parsed = parseTimeParam(field, value);
  if (!(parsed instanceof Date)) {
    errors.push(parsed);
    return undefined;
  }
  return parsed.getTime();
}

/** The first occurrence's start as floating wall time: zone-less wall time, or an instant seen in the zone. */
function wallStart(value: unknown, timeZone: string, errors: FieldError[]): number | undefined {
  const problem = {
    field: 'start',
    message:
      'must be the first occurrence as wall time in timeZone, like 2026-11-01T02:00 (or an ISO 8601 time with a zone)',
  };
  if (typeof value !== 'string') {
    errors.push(problem);
    return undefined;
  }
  const match = WALL_TIME.exec(value);
  if (match) {
    const [, y, mo, d, h, mi, s = '0'] = match;
    const floating = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
    const wall = wallTimeOfFloating(floating);
    if (wall.month !== Number(mo) || wall.day !== Number(d) || wall.hour !== Number(h) || Number(mi) > 59) {
      errors.push({ field: 'start', message: `"${value}" is not a real date and time` });
      return undefined;
    }
    if (wall.year < 2000 || wall.year >= 2100) {
      errors.push({ field: 'start', message: 'must be between 2000 and 2100' });
      return undefined;
    }
    return floating;
  }
  const parsed = parseTimeParam('start', value);
  if (!(parsed instanceof Date)) {
    errors.push(problem);
    return undefined;
  }
  return floatingMs(wallTimeAt(parsed.getTime(), timeZone));
}

function duration(value: unknown, errors: FieldError[]): number | undefined {
  const problem = (why: string) => {
    errors.push({ field: 'duration', message: why });
    return undefined;
  };
  if (typeof value !== 'string')
    return problem('is required: how long each occurrence lasts, like "2h" or "PT2H"');
  let seconds = parseDurationSeconds(value, ['m', 'h', 'd']);
  const iso = ISO_DURATION.exec(value);
  if (seconds === undefined && iso && value.length > 2 && (iso[1] || iso[2] || iso[3])) {
    seconds = Number(iso[1] ?? 0) * 86_400 + Number(iso[2] ?? 0) * 3_600 + Number(iso[3] ?? 0) * 60;
  }
  if (seconds === undefined || seconds <= 0) {
    return problem(`must be whole minutes, hours or days like "2h", "90m" or "PT2H", not "${value}"`);
  }
  const ms = seconds * 1000;
  if (ms < MINUTE_MS || ms > MAX_OCCURRENCE_MS) return problem('must be from 1 minute to 31 days');
  return ms;
}

function text(
  input: Record<string, unknown>,
  field: string,
  max: number,
  required: boolean,
  errors: FieldError[],
): string | undefined {
  const value = input[field];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    errors.push({
      field,
      message: required ? 'is required: say why this time is left out' : 'must be a non-empty string',
    });
    return undefined;
  }
  if (value.length > max) {
    errors.push({ field, message: `must be at most ${max} characters` });
    return undefined;
  }
  if (!isStorableText(value)) {
    errors.push({ field, message: UNSTORABLE_TEXT_MESSAGE });
    return undefined;
  }
  return value.trim();
}
