import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MinuteRange } from '../../slo/domain/corrections.js';
import { defaultBurnRateWindows } from './alert-policy.js';
import {
  AlertState,
  applyTransition,
  distinctWindowSeconds,
  Evaluation,
  evaluateBurnRateWindows,
  evaluateSlo,
  failedEvaluation,
  nextChange,
  nextTransition,
  SloEvaluation,
  SloEvaluationInput,
  snapshotOf,
  SumMinutes,
  secondsToDetect,
  SeverityVerdict,
  TierCounts,
  tierCounts,
  Transition,
} from './evaluate.js';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;
const WINDOWS_30D = defaultBurnRateWindows(30 * DAY); // 1h/5m 14.4×, 6h/30m 6×, 1d/2h 3×, 3d/6h 1× (page, page, ticket, ticket)
const ALLOWED = 0.001; // 99.9 %
const MIN_EVENTS = 20;

/** Steady traffic of `perSecond` requests in every window, with `errorRatio` failing in each of the given ones. */
function steady(perSecond: number, badRatioByWindowSeconds: Record<number, number> = {}): TierCounts[] {
  const counts = (seconds: number) => {
    const total = perSecond * seconds;
    return { total, bad: total * (badRatioByWindowSeconds[seconds] ?? 0) };
  };
  return WINDOWS_30D.map((w) => ({ long: counts(w.longWindowSeconds), short: counts(w.shortWindowSeconds) }));
}

/** `seconds` of 100 % errors at the end of otherwise good, steady traffic. */
function outage(perSecond: number, seconds: number): TierCounts[] {
  const counts = (windowSeconds: number) => ({
    total: perSecond * windowSeconds,
    bad: perSecond * Math.min(seconds, windowSeconds),
  });
  return WINDOWS_30D.map((w) => ({ long: counts(w.longWindowSeconds), short: counts(w.shortWindowSeconds) }));
}

const none = { total: 0, bad: 0 };

describe('evaluating the multi-window tiers', () => {
  it.each([
    {
      name: 'good traffic is ok',
      counts: steady(10),
      state: 'ok',
      firing: [false, false, false, false],
    },
    {
      name: 'SRE workbook: 52 s of 100 % errors fire the 1 h / 5 m 14.4× page',
      counts: outage(10, 52),
      state: 'page',
      firing: [true, false, false, false],
    },
    {
      name: 'SRE workbook: 51 s of 100 % errors are not yet enough',
      counts: outage(10, 51),
      state: 'ok',
      firing: [false, false, false, false],
    },
    {
      name: 'SRE workbook: 1.44 % errors exactly meet the 14.4× threshold',
      counts: steady(10, { [HOUR]: 0.0144, [5 * MINUTE]: 0.0144 }),
      state: 'page',
      firing: [true, false, false, false],
    },
    {
      name: 'a long window still burning does not fire once the short window has recovered',
      counts: steady(10, { [HOUR]: 0.02, [5 * MINUTE]: 0 }),
      state: 'ok',
      firing: [false, false, false, false],
    },
    {
      name: 'SRE workbook: 3× over 1 d and 2 h opens a ticket',
      counts: steady(10, { [DAY]: 0.003, [2 * HOUR]: 0.003 }),
      state: 'ticket',
      firing: [false, false, true, false],
    },
    {
      name: 'a page beats a ticket',
      counts: steady(10, { [6 * HOUR]: 0.006, [30 * MINUTE]: 0.006, [3 * DAY]: 0.001 }),
      state: 'page',
      firing: [false, true, false, true],
    },
  ])('$name', ({ counts, state, firing }) => {
    const evaluation = evaluateBurnRateWindows(WINDOWS_30D, counts, ALLOWED, MIN_EVENTS);
    expect(evaluation.state).toBe(state);
    expect(evaluation.windows.map((w) => w.firing)).toEqual(firing);
  });

  it('reports both burn rates of every tier', () => {
    const evaluation = evaluateBurnRateWindows(WINDOWS_30D, outage(10, 52), ALLOWED, MIN_EVENTS);
    expect(evaluation.windows[0]!.longBurnRate).toBeCloseTo(14.444444, 5); // 520 bad of 36,000
    expect(evaluation.windows[0]!.shortBurnRate).toBeCloseTo(173.333333, 5); // 520 bad of 3,000
  });

  it.each([
    {
      name: 'one failed request out of ten judges nothing',
      counts: WINDOWS_30D.map(() => ({ long: { total: 10, bad: 1 }, short: { total: 10, bad: 1 } })),
      state: 'noData',
      page: 'noData',
      ticket: 'noData',
    },
    {
      name: 'an SLO without traffic has no data',
      counts: WINDOWS_30D.map(() => ({ long: none, short: none })),
      state: 'noData',
      page: 'noData',
      ticket: 'noData',
    },
    {
      name: 'a quiet service is judged on the tiers whose windows hold enough events',
      counts: steady(0.005), // 18 per hour: the page tiers' short windows hold too few
      state: 'ok',
      page: 'noData',
      ticket: 'ok',
    },
    {
      name: 'an outage on a quiet service fires the tiers it can judge',
      counts: WINDOWS_30D.map((w) => ({
        long: { total: 200, bad: 100 },
        short: {
          total: w.shortWindowSeconds >= 2 * HOUR ? 50 : 5,
          bad: w.shortWindowSeconds >= 2 * HOUR ? 50 : 5,
        },
      })),
      state: 'ticket',
      page: 'noData',
      ticket: 'firing',
    },
  ])('$name', ({ counts, state, page, ticket }) => {
    const evaluation = evaluateBurnRateWindows(WINDOWS_30D, counts, ALLOWED, MIN_EVENTS);
    expect(evaluation.state).toBe(state);
    expect(evaluation.severities).toEqual({ page, ticket });
    expect(evaluation.windows.some((w) => w.firing)).toBe(state === 'page' || state === 'ticket');
  });

  it.each([
    {
      name: 'timeslices: a short window of 5 slices is judged on its requests',
      short: { total: 5, bad: 1, requests: 500 },
      long: { total: 60, bad: 1, requests: 6000 },
      firing: true,
    },
    {
      name: 'timeslices: too few requests judge nothing, however many slices',
      short: { total: 5, bad: 5, requests: 10 },
      long: { total: 60, bad: 5, requests: 120 },
      firing: false,
    },
    {
      name: 'timeslices: requests without a judged slice judge nothing',
      short: { total: 0, bad: 0, requests: 500 },
      long: { total: 60, bad: 1, requests: 6000 },
      firing: false,
    },
  ])('$name', ({ short, long, firing }) => {
    // 1 bad one-minute slice in the last hour is 16.7× at 99.9 %, over the 1 h / 5 m tier's 14.4×.
    const evaluation = evaluateBurnRateWindows([WINDOWS_30D[0]!], [{ long, short }], ALLOWED, MIN_EVENTS);
    expect(evaluation.windows[0]!.firing).toBe(firing);
  });

  it('judges nothing without events even when the minimum is 0', () => {
    const counts = WINDOWS_30D.map(() => ({ long: none, short: none }));
    expect(evaluateBurnRateWindows(WINDOWS_30D, counts, ALLOWED, 0).state).toBe('noData');
  });

  it('with alerting switched off there is nothing to judge', () => {
    expect(evaluateBurnRateWindows([], [], ALLOWED, MIN_EVENTS).state).toBe('noData');
  });

  it('refuses counts that do not match the windows', () => {
    expect(() => evaluateBurnRateWindows(WINDOWS_30D, [], ALLOWED, MIN_EVENTS)).toThrow(RangeError);
  });
});

describe('the alert state machine', () => {
  const ok: AlertState = { state: 'ok' };
  const ticket: AlertState = { state: 'firing', severity: 'ticket' };
  const page: AlertState = { state: 'firing', severity: 'page' };
  const verdicts = (p: SeverityVerdict, t: SeverityVerdict): Evaluation => ({
    state: p === 'firing' ? 'page' : t === 'firing' ? 'ticket' : p === 'ok' || t === 'ok' ? 'ok' : 'noData',
    severities: { page: p, ticket: t },
    windows: [],
  });

  it.each<{ name: string; previous: AlertState; evaluation: Evaluation; transition: Transition }>([
    {
      name: 'a page tier firing fires a page',
      previous: ok,
      evaluation: verdicts('firing', 'ok'),
      transition: { type: 'fired', severity: 'page' },
    },
    {
      name: 'page and ticket tiers firing fire one page',
      previous: ok,
      evaluation: verdicts('firing', 'firing'),
      transition: { type: 'fired', severity: 'page' },
    },
    {
      name: 'a ticket tier firing opens a ticket',
      previous: ok,
      evaluation: verdicts('ok', 'firing'),
      transition: { type: 'fired', severity: 'ticket' },
    },
    { name: 'ok stays ok', previous: ok, evaluation: verdicts('ok', 'ok'), transition: { type: 'none' } },
    {
      name: 'no data fires nothing',
      previous: ok,
      evaluation: verdicts('noData', 'noData'),
      transition: { type: 'none' },
    },
    {
      name: 'a ticket escalates when a page tier fires',
      previous: ticket,
      evaluation: verdicts('firing', 'firing'),
      transition: { type: 'escalated', from: 'ticket', to: 'page' },
    },
    {
      name: 'a ticket keeps firing while its tier fires',
      previous: ticket,
      evaluation: verdicts('ok', 'firing'),
      transition: { type: 'none' },
    },
    {
      name: 'a ticket resolves when its tiers are judged ok',
      previous: ticket,
      evaluation: verdicts('noData', 'ok'),
      transition: { type: 'resolved', severity: 'ticket' },
    },
    {
      name: 'a ticket does not resolve on no data',
      previous: ticket,
      evaluation: verdicts('noData', 'noData'),
      transition: { type: 'none' },
    },
    {
      name: 'a ticket does not resolve while only the page tiers can be judged',
      previous: ticket,
      evaluation: verdicts('ok', 'noData'),
      transition: { type: 'none' },
    },
    {
      name: 'a page keeps firing while its tier fires',
      previous: page,
      evaluation: verdicts('firing', 'ok'),
      transition: { type: 'none' },
    },
    {
      name: 'a page does not de-escalate while a ticket tier still fires',
      previous: page,
      evaluation: verdicts('ok', 'firing'),
      transition: { type: 'none' },
    },
    {
      name: 'a page resolves when no tier fires',
      previous: page,
      evaluation: verdicts('ok', 'ok'),
      transition: { type: 'resolved', severity: 'page' },
    },
    {
      name: 'a page resolves when its tiers are ok and the ticket tiers cannot be judged',
      previous: page,
      evaluation: verdicts('ok', 'noData'),
      transition: { type: 'resolved', severity: 'page' },
    },
    {
      name: 'a page does not resolve on no data',
      previous: page,
      evaluation: verdicts('noData', 'noData'),
      transition: { type: 'none' },
    },
    {
      name: 'a page does not resolve while only the ticket tiers can be judged',
      previous: page,
      evaluation: verdicts('noData', 'ok'),
      transition: { type: 'none' },
    },
  ])('$name', ({ previous, evaluation, transition }) => {
    expect(nextTransition(previous, evaluation)).toEqual(transition);
  });

  it.each<{ name: string; previous: AlertState; transition: Transition; next: AlertState }>([
    {
      name: 'nothing happening keeps the state',
      previous: ticket,
      transition: { type: 'none' },
      next: ticket,
    },
    {
      name: 'firing stores the severity',
      previous: ok,
      transition: { type: 'fired', severity: 'ticket' },
      next: ticket,
    },
    {
      name: 'escalating stores a page',
      previous: ticket,
      transition: { type: 'escalated', from: 'ticket', to: 'page' },
      next: page,
    },
    {
      name: 'resolving returns to ok',
      previous: page,
      transition: { type: 'resolved', severity: 'page' },
      next: ok,
    },
  ])('$name', ({ previous, transition, next }) => {
    expect(applyTransition(previous, transition)).toEqual(next);
  });

  it('SRE workbook: a full outage on steady traffic pages after 52 s and resolves once it stops', () => {
    let state: AlertState = ok;
    const transitions: { second: number; transition: Transition }[] = [];
    const evaluateAt = (second: number, counts: TierCounts[]) => {
      const transition = nextTransition(
        state,
        evaluateBurnRateWindows(WINDOWS_30D, counts, ALLOWED, MIN_EVENTS),
      );
      if (transition.type !== 'none') transitions.push({ second, transition });
      state = applyTransition(state, transition);
    };
    for (let second = 0; second <= 120; second++) evaluateAt(second, outage(10, second));
    // The outage stops after 120 s; 296 s later the 5 m window holds 40 bad of 3,000 (13.3×), under 14.4×.
    const outageThen = (sinceEnd: number): TierCounts[] =>
      WINDOWS_30D.map((w) => {
        const bad = (seconds: number) => 10 * Math.max(0, Math.min(120, seconds - sinceEnd));
        return {
          long: { total: 10 * w.longWindowSeconds, bad: bad(w.longWindowSeconds) },
          short: { total: 10 * w.shortWindowSeconds, bad: bad(w.shortWindowSeconds) },
        };
      });
    for (let sinceEnd = 1; sinceEnd <= 30 * MINUTE; sinceEnd += 1)
      evaluateAt(120 + sinceEnd, outageThen(sinceEnd));
    expect(transitions).toEqual([
      { second: 52, transition: { type: 'fired', severity: 'page' } },
      // 120 s of errors are 5.6× over 6 h: the 6 h / 30 m tier never fires, nor do the ticket tiers.
      { second: 120 + 296, transition: { type: 'resolved', severity: 'page' } },
    ]);
  });
});

describe('detection time', () => {
  it.each([
    {
      name: 'SRE workbook: 100 % errors page on the 1 h / 5 m tier after 51.84 s',
      tier: 0,
      errors: 1,
      seconds: 51.84,
    },
    {
      name: 'SRE workbook: 100 % errors page on the 6 h / 30 m tier after 129.6 s',
      tier: 1,
      errors: 1,
      seconds: 129.6,
    },
    {
      name: 'SRE workbook: 100 % errors open the 1 d / 2 h ticket after 259.2 s',
      tier: 2,
      errors: 1,
      seconds: 259.2,
    },
    { name: '10 % errors page on the 1 h / 5 m tier after 518.4 s', tier: 0, errors: 0.1, seconds: 518.4 },
    { name: '1 % errors never page on the 1 h / 5 m tier at 99.9 %', tier: 0, errors: 0.01, seconds: null },
  ])('$name', ({ tier, errors, seconds }) => {
    const result = secondsToDetect(WINDOWS_30D[tier]!, ALLOWED, errors);
    if (seconds === null) expect(result).toBeNull();
    else expect(result).toBeCloseTo(seconds, 6);
  });
});

describe('window lengths to sum', () => {
  it('lists each length once, longest first', () => {
    expect(distinctWindowSeconds(WINDOWS_30D)).toEqual([
      3 * DAY,
      DAY,
      6 * HOUR,
      2 * HOUR,
      HOUR,
      30 * MINUTE,
      5 * MINUTE,
    ]);
  });
});

describe('gathering the counts of a policy', () => {
  it('sums each window length once and gives every tier its long and short counts', () => {
    const asked: number[] = [];
    const counts = tierCounts(WINDOWS_30D, (seconds) => {
      asked.push(seconds);
      return { total: seconds, bad: 0 };
    });
    expect(asked).toHaveLength(new Set(asked).size);
    expect(counts.map((c) => [c.long.total, c.short.total])).toEqual(
      WINDOWS_30D.map((w) => [w.longWindowSeconds, w.shortWindowSeconds]),
    );
  });

  it('shares a length used by two tiers (6 h long and 6 h short)', () => {
    const asked: number[] = [];
    tierCounts(WINDOWS_30D, (seconds) => (asked.push(seconds), { total: 1, bad: 0 }));
    expect(asked.filter((s) => s === 6 * HOUR)).toHaveLength(1);
    expect(asked).toHaveLength(7);
  });
});

describe('evaluation is monotonic', () => {
  const windowArb = fc
    .tuple(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }))
    .map(([total, share]) => ({ total, bad: Math.floor(total * share) }));

  it('more errors in a window never stop a tier from firing', () => {
    fc.assert(
      fc.property(windowArb, windowArb, fc.integer({ min: 0, max: 10_000 }), (long, short, extraBad) => {
        const before = evaluateBurnRateWindows([WINDOWS_30D[0]!], [{ long, short }], ALLOWED, MIN_EVENTS);
        const worse = (w: { total: number; bad: number }) => ({
          total: w.total,
          bad: Math.min(w.total, w.bad + extraBad),
        });
        const after = evaluateBurnRateWindows(
          [WINDOWS_30D[0]!],
          [{ long: worse(long), short: worse(short) }],
          ALLOWED,
          MIN_EVENTS,
        );
        if (before.windows[0]!.firing) expect(after.windows[0]!.firing).toBe(true);
        expect(after.windows[0]!.judged).toBe(before.windows[0]!.judged);
      }),
      { numRuns: 500 },
    );
  });
});

describe('evaluating an SLO at a minute', () => {
  const NOW = 1_000_000;
  /** Steady traffic of `perMinute` requests, `badRatio` failing since `badSinceMinutes` ago, none in the last `quietMinutes`. */
  function traffic(
    perMinute: number,
    badRatio: number,
    badSinceMinutes: number,
    quietMinutes = 0,
  ): SumMinutes {
    return (from, to) => {
      let total = 0;
      let bad = 0;
      for (let m = Math.max(from, NOW - 40 * 1440); m < to; m++) {
        if (m > NOW - quietMinutes) continue;
        total += perMinute;
        if (m > NOW - badSinceMinutes) bad += perMinute * badRatio;
      }
      return { total, bad };
    };
  }
  const lastDataOf = (quietMinutes: number) => NOW - quietMinutes;
  const evaluate = (sum: SumMinutes, overrides: Partial<SloEvaluationInput> = {}) =>
    evaluateSlo({
      windowMinutes: 30 * 1440,
      allowedBadRatio: ALLOWED,
      windows: WINDOWS_30D,
      sum,
      nowMinute: NOW,
      minEvents: MIN_EVENTS,
      lastDataMinute: NOW,
      staleAfterMinutes: 5,
      ...overrides,
    });

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
  ])('$name', ({ sum, status, remaining }) => {
    const evaluation = evaluate(sum);
    expect(evaluation.status).toBe(status);
    expect(evaluation.errorBudget.remainingPercent!).toBeCloseTo(remaining, 0);
  });

  it('says no data, with the budget unknown, when there is no traffic at all', () => {
    const evaluation = evaluate(() => ({ total: 0, bad: 0 }), { lastDataMinute: null });
    expect(evaluation.status).toBe('noData');
    expect(evaluation.errorBudget.remainingPercent).toBeNull();
    expect(evaluation.staleSince).toBeNull();
  });

  it('does not judge windows with fewer events than minEvents: one failure in ten cannot page', () => {
    const evaluation = evaluate(() => ({ total: 10, bad: 1 }));
    expect(evaluation.status).toBe('noData');
    expect(evaluation.burnRates.every((w) => !w.firing)).toBe(true);
  });

  it('SRE workbook: 1.44 % errors on a 99.9 % SLO with only the 14.4× tier pages (0.0144 / 0.001 is 14.399999999999999)', () => {
    // Regression: the engine's former core compared with an exact >= and said ok.
    const only14 = WINDOWS_30D.slice(0, 1);
    const evaluation = evaluate(traffic(1000, 0.0144, 1e9), { windows: only14 });
    expect(evaluation.burnRates[0]!.long).toBeCloseTo(14.4, 9);
    expect(evaluation.status).toBe('page');
    expect(nextChange(null, evaluation)).toEqual({ kind: 'fired', severity: 'page' });
  });

  it('says stale, and since when, once a workload has reported nothing for longer than staleAfter', () => {
    // Regression: the former core showed such a workload as ok for up to three days (the 3 d window stayed full).
    const evaluation = evaluate(traffic(100, 0, 0, 6), { lastDataMinute: lastDataOf(6) });
    expect(evaluation.status).toBe('stale');
    expect(evaluation.staleSince).toBe(new Date((NOW - 5) * 60_000).toISOString());
    expect(evaluate(traffic(100, 0, 0, 5), { lastDataMinute: lastDataOf(5) }).status).toBe('ok');
  });

  it('neither fires nor resolves on stale data', () => {
    const outageThenSilence = evaluate(traffic(6000, 1, 20, 10), { lastDataMinute: lastDataOf(10) });
    expect(outageThenSilence.status).toBe('stale');
    expect(outageThenSilence.severities.page).toBe('firing'); // the windows still hold the outage…
    expect(nextChange(null, outageThenSilence)).toBeNull(); // …but nothing fires on it
    const quietAfterGood = evaluate(traffic(100, 0, 0, 30), { lastDataMinute: lastDataOf(30) });
    expect(nextChange({ severity: 'page' }, quietAfterGood)).toBeNull(); // and an open page stays open
    expect(snapshotOf(99.9, quietAfterGood).dataState).toEqual({
      state: 'stale',
      since: quietAfterGood.staleSince,
    });
  });

  it('budgets every slice of the window with timeslices, quiet ones included', () => {
    // Regression: the former core budgeted only the slices that had data, so a quiet day shrank the budget.
    // 30 d of 1 m slices at 99.9 %: 43.2 bad slices allowed; one day of data with 10 bad slices spends 10 of them.
    const oneDay: SumMinutes = (from, to) => {
      const minutes = Math.max(0, Math.min(to, NOW + 1) - Math.max(from, NOW + 1 - 1440));
      return { total: minutes, bad: Math.min(minutes, 10), requests: minutes * 100 };
    };
    const evaluation = evaluate(oneDay, { sliceMinutes: 1, minEvents: 1 });
    expect(evaluation.errorBudget.totalEvents).toBeCloseTo(43.2, 6);
    expect(evaluation.errorBudget.remainingPercent!).toBeCloseTo((33.2 / 43.2) * 100, 3);
  });

  it('with alerting switched off is ok on traffic and no data without', () => {
    expect(evaluate(traffic(100, 0, 0), { windows: [] }).status).toBe('ok');
    expect(evaluate(() => ({ total: 0, bad: 0 }), { windows: [], lastDataMinute: null }).status).toBe(
      'noData',
    );
  });

  it('forecasts exhaustion at the burn rate of the shortest long window', () => {
    const evaluation = evaluate(traffic(6000, 1, 2));
    expect(evaluation.forecast.burnRate!).toBeGreaterThan(14.4);
    expect(evaluation.forecast.secondsToExhaustion!).toBeGreaterThan(0);
    expect(Date.parse(evaluation.forecast.exhaustionAt!)).toBe(
      (NOW * 60 + evaluation.forecast.secondsToExhaustion!) * 1000,
    );
  });

  it('reports an SLO that could not be evaluated as an error with the reason and since when', () => {
    const failed = failedEvaluation(
      'Prometheus at http://x: connect ECONNREFUSED',
      new Date('2026-12-03T06:00:00Z'),
    );
    expect(failed).toMatchObject({
      status: 'error',
      error: { reason: expect.stringContaining('ECONNREFUSED') },
    });
    expect(nextChange({ severity: 'ticket' }, failed)).toBeNull();
    expect(snapshotOf(99.9, failed).dataState).toMatchObject({
      state: 'error',
      since: '2026-12-03T06:00:00.000Z',
    });
  });
});

describe('the engine moves alerts by the same state machine', () => {
  const verdicts: SeverityVerdict[] = ['firing', 'ok', 'noData'];
  const cases = verdicts.flatMap((page) =>
    verdicts.flatMap((ticket) =>
      [null, 'ticket' as const, 'page' as const].map((current) => ({ page, ticket, current })),
    ),
  );
  it.each(cases)('page $page, ticket $ticket, alert $current', ({ page, ticket, current }) => {
    // Regression: the former engine core resolved on different evidence than nextTransition.
    const evaluation = {
      status:
        page === 'firing'
          ? 'page'
          : ticket === 'firing'
            ? 'ticket'
            : page === 'ok' || ticket === 'ok'
              ? 'ok'
              : 'noData',
      severities: { page, ticket },
    } as SloEvaluation;
    const previous: AlertState = current ? { state: 'firing', severity: current } : { state: 'ok' };
    const transition = nextTransition(previous, { state: 'ok', severities: { page, ticket }, windows: [] });
    const change = nextChange(current ? { severity: current } : null, evaluation);
    if (evaluation.status === 'noData') expect(change).toBeNull();
    else expect(change?.kind ?? 'none').toBe(transition.type);
  });
});

describe('an SLO with a budget correction', () => {
  const NOW = 1_000_000;
  // 100 requests a minute for 40 days; 100 % errors in the 30 minutes of a load test that ended 10 minutes ago.
  const loadTest = { fromMinute: NOW - 40, toMinute: NOW - 10 };
  const sum: SumMinutes = (from, to) => {
    let total = 0;
    let bad = 0;
    for (let m = Math.max(from, NOW - 40 * 1440); m < Math.min(to, NOW + 1); m++) {
      total += 100;
      if (m >= loadTest.fromMinute && m < loadTest.toMinute) bad += 100;
    }
    return { total, bad };
  };
  const evaluate = (excludedMinutes: MinuteRange[], overrides: Partial<SloEvaluationInput> = {}) =>
    evaluateSlo({
      windowMinutes: 30 * 1440,
      allowedBadRatio: ALLOWED,
      windows: WINDOWS_30D,
      sum,
      nowMinute: NOW,
      minEvents: MIN_EVENTS,
      lastDataMinute: NOW,
      staleAfterMinutes: 5,
      excludedMinutes,
      ...overrides,
    });

  it('pages on the load test without the correction', () => {
    expect(evaluate([]).status).toBe('page');
    expect(evaluate([]).errorBudget.consumedEvents).toBe(3000);
  });

  it('leaves the corrected minutes out of the SLI, the budget and every tier: no page, budget intact', () => {
    const evaluation = evaluate([loadTest]);
    expect(evaluation.status).toBe('ok');
    expect(evaluation.sli).toEqual({ percent: 100, total: 100 * (30 * 1440 - 30), bad: 0 });
    expect(evaluation.errorBudget.remainingPercent).toBe(100);
    expect(evaluation.corrections).toEqual({ excludedMinutes: 30, activeNow: false });
  });

  it('says when a correction covers the current minute', () => {
    expect(evaluate([{ fromMinute: NOW - 5, toMinute: NOW + 60 }]).corrections.activeNow).toBe(true);
  });

  it('shrinks a timeslices budget by the corrected slices', () => {
    // 30 d of 1 m slices minus 30 corrected: 43,170 slices × 0.1 % = 43.17 bad slices allowed.
    const evaluation = evaluate([loadTest], { sliceMinutes: 1, minEvents: 1 });
    expect(evaluation.errorBudget.totalEvents).toBeCloseTo(43.17, 6);
  });
});

describe('an SLO with a calendar window', () => {
  // 100 requests a minute; every one failed during the last hour of the previous month.
  const PERIOD_START = 1_000_000;
  const sum: SumMinutes = (from, to) => {
    let total = 0;
    let bad = 0;
    for (let m = Math.max(from, PERIOD_START - 2 * 1440); m < to; m++) {
      total += 100;
      if (m >= PERIOD_START - 60 && m < PERIOD_START) bad += 100;
    }
    return { total, bad };
  };
  const at = (nowMinute: number, sliceMinutes?: number) =>
    evaluateSlo({
      windowMinutes: 30 * 1440,
      allowedBadRatio: ALLOWED,
      windows: WINDOWS_30D,
      sum,
      nowMinute,
      minEvents: MIN_EVENTS,
      lastDataMinute: nowMinute,
      staleAfterMinutes: 5,
      budgetPeriod: { fromMinute: PERIOD_START, minutes: 30 * 1440 },
      sliceMinutes,
    });

  it('starts the budget afresh at the period start, while the rolling tiers still see the last burn', () => {
    const justAfter = at(PERIOD_START + 9);
    expect(justAfter.sli).toEqual({ percent: 100, total: 1000, bad: 0 });
    expect(justAfter.errorBudget.remainingPercent).toBe(100);
    // The 1 h / 5 m page: the 1 h window still holds the outage, the 5 m window is clean — no page, but burning.
    expect(justAfter.burnRates[0]!.long).toBeGreaterThan(14.4);
    expect(justAfter.burnRates[0]!.firing).toBe(false);
  });

  it('budgets every slice of the whole period with timeslices, from its first minute', () => {
    expect(at(PERIOD_START + 9, 1).errorBudget.totalEvents).toBeCloseTo(43.2, 6);
  });
});
