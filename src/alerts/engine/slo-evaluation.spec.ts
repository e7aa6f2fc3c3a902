import { describe, expect, it } from 'vitest';
import { defaultBurnRateWindows } from '../domain/alert-policy.js';
import type { SloSpec } from '../../slo/domain/slo.js';
import { SloEvaluation, evaluateSlo, nextChange } from './slo-evaluation.js';

const DAY = 86400;
const spec = {
  name: 'api',
  description: '',
  service: { workload: 'api' },
  indicator: { type: 'errorRate', errorStatus: '5xx' },
  objective: 99.9,
  window: '30d',
  budgetingMethod: 'occurrences',
  source: { type: 'sensor' },
} as SloSpec;
const windows = defaultBurnRateWindows(30 * DAY);
const NOW = 1_000_000;

/** Steady traffic of `perMinute` requests, `badRatio` of them failing since `badSinceMinutes` ago. */
function traffic(perMinute: number, badRatio: number, badSinceMinutes: number, quietSinceMinutes = 0) {
  return (from: number, to: number) => {
    let total = 0;
    let bad = 0;
    for (let m = Math.max(from, NOW - 40 * 1440); m < to; m++) {
      if (m > NOW - quietSinceMinutes) continue;
      total += perMinute;
      if (m > NOW - badSinceMinutes) bad += perMinute * badRatio;
    }
    return { total, bad, minutesWithData: 0 };
  };
}

const evaluate = (sum: ReturnType<typeof traffic>, minEvents = 20) =>
  evaluateSlo(spec, windows, sum, NOW, minEvents, NOW);

describe('evaluateSlo', () => {
  it.each([
    {
      name: 'healthy traffic is ok with the whole budget left',
      sum: traffic(100, 0, 0),
      status: 'ok',
      remaining: 100,
    },
    {
      name: 'two minutes of 100 % errors page on the 1 h window',
      sum: traffic(6000, 1, 2),
      status: 'page',
      remaining: 95.37,
    },
    {
      name: 'a mild burn (2× for a day) stays below every tier',
      sum: traffic(100, 0.002, 1500),
      status: 'ok',
      remaining: 93.06,
    },
    {
      name: 'no traffic at all is no data',
      sum: () => ({ total: 0, bad: 0, minutesWithData: 0 }),
      status: 'noData',
      remaining: null,
    },
  ])('$name', ({ sum, status, remaining }) => {
    const evaluation = evaluate(sum);
    expect(evaluation.status).toBe(status);
    if (remaining === null) expect(evaluation.errorBudget.remainingPercent).toBeNull();
    else expect(evaluation.errorBudget.remainingPercent!).toBeCloseTo(remaining, 0);
  });

  it('does not judge windows with fewer events than minEvents: one failure in ten cannot page', () => {
    const evaluation = evaluate(() => ({ total: 10, bad: 1, minutesWithData: 1 }));
    expect(evaluation.status).toBe('noData');
    expect(evaluation.burnRates.every((w) => !w.firing)).toBe(true);
  });

  it('is not resolvable while the short windows are empty and the long ones full (a sensor gone quiet)', () => {
    const evaluation = evaluate(traffic(100, 0, 0, 40));
    expect(evaluation.status).toBe('ok');
    expect(evaluation.resolvable).toBe(false);
  });

  it('forecasts exhaustion at the 1 h burn rate', () => {
    const evaluation = evaluate(traffic(6000, 1, 2));
    expect(evaluation.forecast.burnRate!).toBeGreaterThan(14.4);
    expect(evaluation.forecast.secondsToExhaustion!).toBeGreaterThan(0);
    expect(Date.parse(evaluation.forecast.exhaustionAt!)).toBe(
      (NOW * 60 + evaluation.forecast.secondsToExhaustion!) * 1000,
    );
  });
});

describe('nextChange', () => {
  const as = (status: SloEvaluation['status'], resolvable = status === 'ok') =>
    ({ status, resolvable }) as SloEvaluation;
  it.each([
    {
      name: 'a page with no alert fires a page',
      current: null,
      evaluation: as('page'),
      change: { kind: 'fired', severity: 'page' },
    },
    {
      name: 'a ticket with no alert fires a ticket',
      current: null,
      evaluation: as('ticket'),
      change: { kind: 'fired', severity: 'ticket' },
    },
    {
      name: 'a page over a ticket escalates',
      current: { severity: 'ticket' as const },
      evaluation: as('page'),
      change: { kind: 'escalated', severity: 'page' },
    },
    {
      name: 'a ticket under a page does not de-escalate',
      current: { severity: 'page' as const },
      evaluation: as('ticket'),
      change: null,
    },
    {
      name: 'ok resolves a firing alert',
      current: { severity: 'page' as const },
      evaluation: as('ok'),
      change: { kind: 'resolved' },
    },
    {
      name: 'ok without evidence keeps it firing',
      current: { severity: 'page' as const },
      evaluation: as('ok', false),
      change: null,
    },
    {
      name: 'no data never resolves',
      current: { severity: 'ticket' as const },
      evaluation: as('noData'),
      change: null,
    },
    { name: 'no data never fires', current: null, evaluation: as('noData'), change: null },
    { name: 'ok with no alert changes nothing', current: null, evaluation: as('ok'), change: null },
  ])('$name', ({ current, evaluation, change }) => {
    expect(nextChange(current, evaluation)).toEqual(change);
  });
});
