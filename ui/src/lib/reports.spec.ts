import { describe, expect, it } from 'vitest';
import { burnDownPath, previousMonth, readReportQuery, reportSearch } from './reports.js';

describe('the reports page', () => {
  it.each([
    { now: '2026-12-03T10:00:00Z', period: '2026-11' },
    { now: '2027-01-01T00:00:00Z', period: '2026-12' },
  ])('defaults to the month before $now', ({ now, period }) => {
    expect(previousMonth(new Date(now))).toBe(period);
    expect(readReportQuery('', new Date(now)).period).toBe(period);
  });

  it('keeps the period, team and time zone in the address', () => {
    const query = readReportQuery('?period=2026-Q4&team=payments&timeZone=Europe%2FBerlin', new Date());
    expect(query).toEqual({ period: '2026-Q4', team: 'payments', timeZone: 'Europe/Berlin' });
    expect(reportSearch(query, { format: 'csv' })).toBe(
      '?period=2026-Q4&team=payments&timeZone=Europe%2FBerlin&format=csv',
    );
  });

  it('draws the burn-down from 100 % at the top to the lowest value, breaking at days without data', () => {
    const { segments, zeroY } = burnDownPath(
      [
        { remainingPercent: 100 },
        { remainingPercent: -50 },
        { remainingPercent: null },
        { remainingPercent: 50 },
      ],
      4,
      100,
      30,
    );
    expect(segments).toEqual(['25,0 50,30', '100,10']);
    expect(zeroY).toBe(20);
  });
});
