import { describe, expect, it } from 'vitest';
import { AlertHistory, compliance, severitySegments, timeBurning } from './report.js';

const NOVEMBER = { startMs: Date.parse('2026-11-01T00:00:00Z'), endMs: Date.parse('2026-12-01T00:00:00Z') };
const DECEMBER_3 = Date.parse('2026-12-03T00:00:00Z');
const firstMinute = NOVEMBER.startMs / 60_000;
const DAY = 1440;

/** 100 requests every minute of November; `bad(minute index)` of them failing. */
function month(bad: (i: number) => number): Map<number, { total: number; bad: number }> {
  const counts = new Map<number, { total: number; bad: number }>();
  for (let i = 0; i < 30 * DAY; i++) counts.set(firstMinute + i, { total: 100, bad: bad(i) });
  return counts;
}

describe('a month of compliance, computed by hand', () => {
  it('4,320,000 requests with 2,160 failures at 99.9 %: 99.95 % achieved, half the budget spent', () => {
    // 2,160 failures: 100 % errors in minutes 0–21 of day 9, 60 in the 22nd minute (9 days × 1,440 = 12,960).
    const report = compliance(
      {
        objective: 99.9,
        budgetingMethod: 'occurrences',
        byMinute: month((i) => (i >= 12_960 && i < 12_981 ? 100 : i === 12_981 ? 60 : 0)),
      },
      NOVEMBER,
      DECEMBER_3,
    );
    expect(report).toMatchObject({
      achievedPercent: 99.95,
      met: true,
      total: 4_320_000,
      bad: 2_160,
      allowedBad: 4_320,
      budgetConsumedPercent: 50,
    });
    expect(report.burnDown).toHaveLength(30);
    // After day 10 the month so far holds 1,440,000 requests, 1,440 allowed failures, 2,160 spent: −50 %.
    expect(report.burnDown[9]).toEqual({ at: '2026-11-11T00:00:00.000Z', remainingPercent: -50 });
    expect(report.burnDown[8]!.remainingPercent).toBe(100);
    expect(report.burnDown[29]).toEqual({ at: '2026-12-01T00:00:00.000Z', remainingPercent: 50 });
  });

  it('misses the objective when the failures exceed the budget', () => {
    const report = compliance(
      { objective: 99.9, budgetingMethod: 'occurrences', byMinute: month((i) => (i < 60 ? 100 : 0)) },
      NOVEMBER,
      DECEMBER_3,
    );
    // 6,000 of 4,320,000 failed: 99.8611 %, 138.89 % of the budget.
    expect(report).toMatchObject({ achievedPercent: 99.861111, met: false, budgetConsumedPercent: 138.8889 });
  });

  it('budgets every slice of the month with timeslices: 108 bad minutes of 43,200 at 99 % spend 25 %', () => {
    const slices = new Map<number, { total: number; bad: number }>();
    for (let i = 0; i < 30 * DAY; i++) slices.set(firstMinute + i, { total: 1, bad: i % 400 === 0 ? 1 : 0 });
    const report = compliance(
      { objective: 99, budgetingMethod: 'timeslices', byMinute: slices, slicesInPeriod: 30 * DAY },
      NOVEMBER,
      DECEMBER_3,
    );
    expect(report).toMatchObject({
      total: 43_200,
      bad: 108,
      allowedBad: 432,
      budgetConsumedPercent: 25,
      met: true,
    });
  });

  it('stops at now for the current month, and says nothing without data', () => {
    const midMonth = Date.parse('2026-11-16T00:00:00Z');
    const report = compliance(
      { objective: 99.9, budgetingMethod: 'occurrences', byMinute: month(() => 0) },
      NOVEMBER,
      midMonth,
    );
    expect(report.total).toBe(15 * DAY * 100);
    expect(report.burnDown).toHaveLength(15);
    const empty = compliance(
      { objective: 99.9, budgetingMethod: 'occurrences', byMinute: new Map() },
      NOVEMBER,
      DECEMBER_3,
    );
    expect(empty).toMatchObject({ achievedPercent: null, met: null, budgetConsumedPercent: null });
  });
});

describe('time spent burning', () => {
  const at = (text: string) => Date.parse(text);
  const ticketThenPage: AlertHistory = {
    transitions: [
      { kind: 'fired', severity: 'ticket', atMs: at('2026-11-05T10:00:00Z') },
      { kind: 'escalated', severity: 'page', atMs: at('2026-11-05T11:00:00Z') },
      { kind: 'resolved', severity: 'page', atMs: at('2026-11-05T11:30:00Z') },
    ],
  };
  it('splits an escalated alert into its ticket and page time', () => {
    expect(severitySegments(ticketThenPage, DECEMBER_3).map((s) => s.severity)).toEqual(['ticket', 'page']);
    expect(timeBurning([ticketThenPage], NOVEMBER, DECEMBER_3)).toEqual({
      pageSeconds: 1800,
      ticketSeconds: 3600,
    });
  });

  it('counts overlapping alerts once and a ticket only while no page fires', () => {
    const overlappingTicket: AlertHistory = {
      transitions: [
        { kind: 'fired', severity: 'ticket', atMs: at('2026-11-05T11:15:00Z') },
        { kind: 'resolved', severity: 'ticket', atMs: at('2026-11-05T12:00:00Z') },
      ],
    };
    // Ticket 10:00–11:00 and 11:30–12:00; page 11:00–11:30.
    expect(timeBurning([ticketThenPage, overlappingTicket], NOVEMBER, DECEMBER_3)).toEqual({
      pageSeconds: 1800,
      ticketSeconds: 5400,
    });
  });

  it('clips to the period and runs a still-firing alert until now', () => {
    const sinceOctober: AlertHistory = {
      transitions: [{ kind: 'fired', severity: 'page', atMs: at('2026-10-31T23:00:00Z') }],
    };
    expect(timeBurning([sinceOctober], NOVEMBER, at('2026-11-01T02:00:00Z'))).toEqual({
      pageSeconds: 7200,
      ticketSeconds: 0,
    });
  });
});
