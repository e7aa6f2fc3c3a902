import { describe, expect, it } from 'vitest';
import { validateSloSpec } from '../../slo/domain/slo-schema.js';
import type { SloSpec } from '../../slo/domain/slo.js';
import type { AlertView } from '../alert.view.js';
import type { EngineEvaluation } from './slo-engine.service.js';
import { StatusItemJson, summaryOf, viewOf } from './slo-status-json.js';

function spec(input: Record<string, unknown>): SloSpec {
  const result = validateSloSpec({
    name: 'checkout-errors',
    service: { namespace: 'shop', workload: 'checkout' },
    indicator: { type: 'errorRate' },
    objective: 99.9,
    window: '30d',
    ...input,
  });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.spec;
}

const NOW = new Date('2026-12-03T14:30:20.500Z');

function evaluation(overrides: Partial<EngineEvaluation> = {}): EngineEvaluation {
  return {
    status: 'page',
    sli: { percent: 98.25, total: 40_000, bad: 700 },
    errorBudget: {
      totalEvents: 40_000,
      consumedEvents: 700,
      remainingEvents: -660,
      remainingPercent: -1650,
      consumedPercent: 1750,
    },
    burnRates: [
      {
        severity: 'page',
        longWindow: '1h',
        shortWindow: '5m',
        threshold: 14.4,
        long: 17.5,
        short: 20.25,
        longEvents: 4000,
        shortEvents: 300,
        judged: true,
        firing: true,
      },
    ],
    severities: { page: 'firing', ticket: 'ok' },
    forecast: { burnRate: 17.5, secondsToExhaustion: 0, exhaustionAt: '2026-12-03T14:30:00.000Z' },
    lastDataMinute: Math.floor(NOW.getTime() / 60_000) - 3,
    staleSince: null,
    error: null,
    corrections: { excludedMinutes: 12, activeNow: false },
    evaluatedAt: new Date('2026-12-03T14:30:00.000Z'),
    approximate: true,
    ...overrides,
  };
}

const ALERT = {
  id: '5d1c6f0e-0d5c-4d38-9f43-2f0c1c0a9a11',
  slo: 'checkout-errors',
  severity: 'page',
  state: 'firing',
  startedAt: '2026-12-03T14:10:00.000Z',
  resolvedAt: null,
  durationSeconds: 1220,
  snapshot: {
    sliPercent: 98.25,
    objective: 99.9,
    budgetRemainingPercent: -1650,
    burnRates: [],
    exhaustionAt: null,
  },
  correlation: null,
  notifications: [],
  silence: null,
  annotations: [],
} as unknown as AlertView;

const cases = [
  {
    name: 'a paging SLO with a firing alert and recent data',
    slo: spec({}),
    ev: evaluation(),
    firing: [ALERT],
  },
  {
    name: 'an SLO without team or namespace that never had data',
    slo: spec({ service: { workload: 'cart' }, indicator: { type: 'latency', thresholdMs: 250 } }),
    ev: evaluation({ status: 'noData', lastDataMinute: null, approximate: false }),
    firing: [],
  },
  {
    name: 'a calendar-window SLO (its budget period depends on the clock)',
    slo: spec({ team: 'payments', window: { calendar: 'month', timeZone: 'UTC' } }),
    ev: evaluation({ status: 'stale', staleSince: '2026-12-03T13:00:00.000Z' }),
    firing: [],
  },
  {
    name: 'an SLO that failed to evaluate',
    slo: spec({ team: 'payments' }),
    ev: evaluation({
      status: 'error',
      error: { reason: 'bad "query"\n', since: '2026-12-03T14:00:00.000Z' },
    }),
    firing: [ALERT, { ...ALERT, id: 'other', severity: 'ticket' } as AlertView],
  },
];

describe('list items serialised from kept pieces', () => {
  it.each(cases)('$name: the full item is exactly the JSON of its view', ({ slo, ev, firing }) => {
    const json = new StatusItemJson();
    expect(json.full(slo, ev, firing, NOW)).toBe(JSON.stringify(viewOf(slo, ev, firing, NOW)));
  });

  it.each(cases)('$name: the summary item is exactly the JSON of its summary', ({ slo, ev, firing }) => {
    const json = new StatusItemJson();
    expect(json.summary(slo, ev, firing, NOW)).toBe(JSON.stringify(summaryOf(viewOf(slo, ev, firing, NOW))));
  });

  it('follows the clock, the alerts and a new spec while reusing the evaluation', () => {
    const json = new StatusItemJson();
    const slo = spec({ window: { calendar: 'month', timeZone: 'UTC' } });
    const ev = evaluation();
    json.full(slo, ev, [], NOW);
    json.summary(slo, ev, [], NOW);
    const later = new Date('2027-01-01T00:00:05.000Z');
    const renamed = spec({ name: 'renamed', window: { calendar: 'month', timeZone: 'UTC' } });
    expect(json.full(renamed, ev, [ALERT], later)).toBe(JSON.stringify(viewOf(renamed, ev, [ALERT], later)));
    expect(json.summary(renamed, ev, [ALERT], later)).toBe(
      JSON.stringify(summaryOf(viewOf(renamed, ev, [ALERT], later))),
    );
  });
});
