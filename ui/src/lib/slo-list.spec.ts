import { describe, expect, it } from 'vitest';
import type { SloStatus } from '../api/types.js';
import {
  statusNote,
  SloRow,
  budgetBar,
  fastestBurn,
  filterOptions,
  filterRows,
  readListQuery,
  rowFromStatus,
  sortRows,
  writeListQuery,
} from './slo-list.js';

function status(overrides: Partial<SloStatus> = {}): SloStatus {
  return {
    slo: 'checkout-latency',
    team: 'payments',
    namespace: 'shop',
    workload: 'checkout',
    status: 'ok',
    objective: 99,
    window: '28d',
    budgetPeriod: null,
    sli: { percent: 99.5, approximate: false, total: 10_000, bad: 50 },
    errorBudget: {
      totalEvents: 10_000,
      consumedEvents: 50,
      remainingEvents: 50,
      remainingPercent: 50,
      consumedPercent: 50,
    },
    burnRates: [],
    severities: {
      page: 'ok',
      ticket: 'ok',
    },
    forecast: { burnRate: null, exhaustionAt: null, secondsToExhaustion: null },
    alerts: [],
    dataFreshness: { lastDataAt: null, ageSeconds: null },
    staleSince: null,
    error: null,
    corrections: { excludedMinutes: 0, activeNow: false },
    evaluatedAt: '2026-11-25T12:00:00Z',
    ...overrides,
  };
}

function row(name: string, budget: number | null, extra: Partial<SloRow> = {}): SloRow {
  return { ...rowFromStatus(status({ slo: name })), budgetRemainingPercent: budget, ...extra };
}

const rate = (longWindow: string, long: number | null, threshold = 14.4) => ({
  severity: 'page' as const,
  longWindow,
  shortWindow: '5m',
  threshold,
  long,
  short: long,
  longEvents: 100,
  shortEvents: 10,
  judged: true,
  firing: false,
});

describe('fastestBurn', () => {
  it('picks the highest long-window rate and names its window', () =>
    expect(fastestBurn([rate('1h', 2), rate('6h', 7.5, 6), rate('1d', null)])).toEqual({
      rate: 7.5,
      window: '6h',
      threshold: 6,
    }));
  it('is null when no window has data', () => expect(fastestBurn([rate('1h', null)])).toBeNull());
});

describe('sortRows by budget left', () => {
  const rows = [row('b', 80), row('none', null), row('a', -5), row('c', 20)];
  it('puts the least budget first when ascending, and SLOs without data last', () =>
    expect(sortRows(rows, 'asc').map((r) => r.name)).toEqual(['a', 'c', 'b', 'none']));
  it('puts the most budget first when descending, SLOs without data still last', () =>
    expect(sortRows(rows, 'desc').map((r) => r.name)).toEqual(['b', 'c', 'a', 'none']));
});

describe('filterRows', () => {
  const rows = [
    row('p1', 10, { team: 'payments', namespace: 'shop', status: 'page' }),
    row('p2', 90, { team: 'payments', namespace: 'billing', status: 'ok' }),
    row('s1', 50, { team: 'search', namespace: 'shop', status: 'ok' }),
  ];
  it.each([
    { name: 'by team', filter: { team: 'payments' }, expected: ['p1', 'p2'] },
    { name: 'by namespace', filter: { namespace: 'shop' }, expected: ['p1', 's1'] },
    { name: 'by status', filter: { status: 'ok' as const }, expected: ['p2', 's1'] },
    {
      name: 'by all three at once',
      filter: { team: 'payments', namespace: 'shop', status: 'page' as const },
      expected: ['p1'],
    },
    { name: 'not at all when empty', filter: {}, expected: ['p1', 'p2', 's1'] },
  ])('$name', ({ filter, expected }) =>
    expect(filterRows(rows, filter).map((r) => r.name)).toEqual(expected),
  );

  it('offers each team and namespace once, sorted', () =>
    expect(filterOptions(rows)).toEqual({ teams: ['payments', 'search'], namespaces: ['billing', 'shop'] }));
});

describe('budgetBar', () => {
  it.each([
    {
      name: 'a healthy budget is as wide as what is left',
      remaining: 64,
      expected: { widthPercent: 64, level: 'healthy' },
    },
    { name: 'under a quarter left is low', remaining: 12, expected: { widthPercent: 12, level: 'low' } },
    {
      name: 'an overspent budget is empty and exhausted',
      remaining: -30,
      expected: { widthPercent: 0, level: 'exhausted' },
    },
    { name: 'no data draws no bar', remaining: null, expected: { widthPercent: 0, level: 'none' } },
  ])('$name', ({ remaining, expected }) => expect(budgetBar(remaining)).toEqual(expected));
});

describe('list query in the address', () => {
  it('reads back what it wrote', () => {
    const query = { team: 'payments', namespace: 'shop', status: 'page' as const, sort: 'desc' as const };
    expect(readListQuery(writeListQuery(query))).toEqual(query);
  });
  it('ignores an unknown status', () => expect(readListQuery('?status=bogus').status).toBeUndefined());
  it('writes nothing for the defaults', () => expect(writeListQuery({ sort: 'asc' })).toBe(''));
});

describe('why the numbers are not current', () => {
  it.each([
    { status: 'ok' as const, staleSince: null, error: null, note: null },
    {
      status: 'stale' as const,
      staleSince: '2026-12-03T06:00:00.000Z',
      error: null,
      note: 'No data since 2026-12-03T06:00:00.000Z',
    },
    {
      status: 'error' as const,
      staleSince: null,
      error: { reason: 'connect ECONNREFUSED', since: '2026-12-03T06:00:00.000Z' },
      note: 'connect ECONNREFUSED',
    },
  ])('a $status SLO says so in one sentence', ({ note, ...status }) => {
    const result = statusNote(status);
    if (note === null) expect(result).toBeNull();
    else expect(result).toContain(note);
  });
});
