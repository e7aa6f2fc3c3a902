import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultBurnRateWindows } from './alert-policy.js';
import {
  AlertState,
  applyTransition,
  distinctWindowSeconds,
  Evaluation,
  evaluateBurnRateWindows,
  nextTransition,
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
