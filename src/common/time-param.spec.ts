import { describe, expect, it } from 'vitest';
import { parseTimeParam } from './time-param.js';

describe('a time query parameter', () => {
  it.each([
    { name: 'UTC with Z', raw: '2026-12-02T10:00:00Z', iso: '2026-12-02T10:00:00.000Z' },
    { name: 'a lower-case t and z', raw: '2026-12-02t10:00:00z', iso: '2026-12-02T10:00:00.000Z' },
    { name: 'an offset east of UTC', raw: '2026-12-02T11:30:00+01:30', iso: '2026-12-02T10:00:00.000Z' },
    {
      name: 'an offset west of UTC without colon',
      raw: '2026-12-02T05:00-0500',
      iso: '2026-12-02T10:00:00.000Z',
    },
    { name: 'fractional seconds', raw: '2026-12-02T10:00:00.250Z', iso: '2026-12-02T10:00:00.250Z' },
    { name: 'Unix seconds', raw: '1764669600', iso: '2025-12-02T10:00:00.000Z' },
    { name: 'a leap day', raw: '2028-02-29T00:00:00Z', iso: '2028-02-29T00:00:00.000Z' },
  ])('reads $name', ({ raw, iso }) => {
    const parsed = parseTimeParam('from', raw);
    expect(parsed).toBeInstanceOf(Date);
    expect((parsed as Date).toISOString()).toBe(iso);
  });

  it.each([
    { name: 'a negative number (once read as 2001)', raw: '-1', why: 'this is neither' },
    { name: 'a time without a zone (server-dependent)', raw: '2026-12-02T10:00:00', why: 'this is neither' },
    { name: 'a date without a time', raw: '2026-12-02', why: 'this is neither' },
    { name: 'the 30th of February', raw: '2026-02-30T00:00:00Z', why: 'this is neither' },
    { name: 'hour 24', raw: '2026-12-02T24:00:00Z', why: 'this is neither' },
    { name: 'month 13', raw: '2026-13-01T00:00:00Z', why: 'this is neither' },
    { name: 'a decimal number of seconds', raw: '1764669600.5', why: 'this is neither' },
    { name: 'words', raw: 'yesterday', why: 'this is neither' },
    { name: 'the epoch', raw: '0', why: 'this is out of range' },
    { name: 'the year 2286', raw: '9999999999', why: 'this is out of range' },
    { name: 'an ISO time before 2000', raw: '1999-12-31T23:59:59Z', why: 'this is out of range' },
  ])('refuses $name, saying what it accepts', ({ raw, why }) => {
    expect(parseTimeParam('to', raw)).toEqual({
      field: 'to',
      message:
        'must be an ISO 8601 time with a zone (like 2026-12-02T10:00:00Z) or Unix seconds from 946684800 ' +
        `(2000-01-01) to 4102444800 (2100-01-01); ${why}, got "${raw}"`,
    });
  });
});
