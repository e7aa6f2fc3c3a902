import { describe, expect, it } from 'vitest';
import { parseCorrectionInput } from './correction-input.js';

const HOUR = 3_600_000;

describe('parseCorrectionInput accepts', () => {
  it('a one-off range with a reason; createdBy defaults to "api"', () => {
    expect(
      parseCorrectionInput({
        start: '2026-11-14T02:00:00Z',
        end: '2026-11-14T03:30:00+01:00',
        reason: 'planned load test',
      }),
    ).toEqual({
      correction: {
        kind: 'oneOff',
        startMs: Date.parse('2026-11-14T02:00:00Z'),
        endMs: Date.parse('2026-11-14T02:30:00Z'),
      },
      reason: 'planned load test',
      createdBy: 'api',
    });
  });

  it.each([
    ['2h', 2 * HOUR],
    ['90m', 1.5 * HOUR],
    ['PT2H', 2 * HOUR],
    ['PT1H30M', 1.5 * HOUR],
    ['P1D', 24 * HOUR],
  ])('a recurring correction lasting %s', (duration, durationMs) => {
    const parsed = parseCorrectionInput({
      start: '2026-03-01T02:00',
      duration,
      rrule: 'FREQ=WEEKLY;BYDAY=SU',
      timeZone: 'Europe/Berlin',
      reason: 'maintenance window',
      createdBy: 'alice@example.com',
    });
    expect(parsed).toMatchObject({
      correction: {
        kind: 'recurring',
        startWallMs: Date.parse('2026-03-01T02:00:00Z'),
        durationMs,
        rrule: 'FREQ=WEEKLY;BYDAY=SU',
        timeZone: 'Europe/Berlin',
      },
      createdBy: 'alice@example.com',
    });
  });

  it('a recurring start given as an instant, read as wall time in the zone', () => {
    const parsed = parseCorrectionInput({
      start: '2026-03-01T01:00:00Z',
      duration: '2h',
      rrule: 'RRULE:freq=weekly;byday=SU',
      timeZone: 'Europe/Berlin',
      reason: 'maintenance',
    });
    expect(parsed).toMatchObject({
      correction: { startWallMs: Date.parse('2026-03-01T02:00:00Z'), rrule: 'FREQ=WEEKLY;BYDAY=SU' },
    });
  });
});

describe('parseCorrectionInput refuses, naming the field', () => {
  const weekly = {
    start: '2026-03-01T02:00',
    duration: '2h',
    rrule: 'FREQ=WEEKLY;BYDAY=SU',
    timeZone: 'Europe/Berlin',
    reason: 'maintenance',
  };
  it.each([
    ['a body that is not an object', [], '(body)', /JSON object/],
    [
      'a one-off without a reason',
      { start: '2026-11-14T02:00:00Z', end: '2026-11-14T03:00:00Z' },
      'reason',
      /required/,
    ],
    [
      'an end before the start',
      { start: '2026-11-14T02:00:00Z', end: '2026-11-14T01:00:00Z', reason: 'x' },
      'end',
      /after start/,
    ],
    [
      'an end equal to the start',
      { start: '2026-11-14T02:00:00Z', end: '2026-11-14T02:00:00Z', reason: 'x' },
      'end',
      /after start/,
    ],
    [
      'a zone-less one-off time',
      { start: '2026-11-14T02:00:00', end: '2026-11-14T03:00:00Z', reason: 'x' },
      'start',
      /with a zone/,
    ],
    [
      'a one-off over a year long',
      { start: '2026-01-01T00:00:00Z', end: '2027-06-01T00:00:00Z', reason: 'x' },
      'end',
      /366 days/,
    ],
    [
      'an unknown field',
      { start: '2026-11-14T02:00:00Z', end: '2026-11-14T03:00:00Z', reason: 'x', until: 'now' },
      'until',
      /not a field/,
    ],
    [
      'a one-off field in a recurring correction',
      { ...weekly, end: '2026-03-01T04:00:00Z' },
      'end',
      /recurring/,
    ],
    ['an unknown time zone', { ...weekly, timeZone: 'Mars/Olympus' }, 'timeZone', /IANA/],
    ['a missing time zone', { ...weekly, timeZone: undefined, rrule: 'FREQ=DAILY' }, 'timeZone', /required/],
    ['a bad RRULE part', { ...weekly, rrule: 'FREQ=WEEKLY;BYDAY=XX' }, 'rrule', /BYDAY/],
    ['a secondly RRULE', { ...weekly, rrule: 'FREQ=SECONDLY' }, 'rrule', /FREQ/],
    [
      'a rule that never occurs',
      { ...weekly, rrule: 'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31' },
      'rrule',
      /no occurrence/,
    ],
    ['occurrences that overlap', { ...weekly, rrule: 'FREQ=DAILY', duration: '25h' }, 'duration', /overlap/],
    [
      'occurrences that touch',
      { ...weekly, rrule: 'FREQ=HOURLY', duration: '1h' },
      'duration',
      /overlap or touch/,
    ],
    ['a duration in seconds', { ...weekly, duration: '30s' }, 'duration', /whole minutes/],
    ['a duration over 31 days', { ...weekly, rrule: 'FREQ=YEARLY', duration: '40d' }, 'duration', /31 days/],
    ['a wall time that is no date', { ...weekly, start: '2026-02-30T02:00' }, 'start', /not a real date/],
    ['a reason with a NUL', { ...weekly, reason: 'a\u0000b' }, 'reason', /NUL/],
  ])('%s', (_name, body, field, message) => {
    const parsed = parseCorrectionInput(body);
    expect(Array.isArray(parsed)).toBe(true);
    const errors = parsed as { field: string; message: string }[];
    expect(errors.find((e) => e.field === field)?.message).toMatch(message);
  });
});
