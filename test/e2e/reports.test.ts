import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { AlertStore } from '../../src/alerts/alert-store.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo, latencySlo } from '../support/fixtures.js';
import { seedTraffic } from './ui/seed-sli.js';

/**
 * A generated November against a hand computation: 100 requests a minute (4,320,000), 2,160 of them failing on
 * 10 November, a two-hour correction on 20 November (12,000 requests left out), one incident that was a ticket
 * for 10 minutes and a page for 30.
 */
const NOVEMBER = Date.parse('2026-11-01T00:00:00Z') / 60_000;
const FAIL_FROM = NOVEMBER + 9 * 1440; // 10 November 00:00
const SNAPSHOT = {
  sliPercent: 99,
  objective: 99.9,
  budgetRemainingPercent: 50,
  burnRates: [],
  exhaustionAt: null,
};

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
const clock = new ManualClock(new Date('2026-12-01T06:00:00Z'));

beforeAll(async () => {
  await resetDatabase();
  burnwatch = await startTestApp({}, clock);
  api = apiClient(burnwatch.url);
  const created = await api('POST', '/api/v1/slos', errorRateSlo({ team: 'payments', window: '30d' }));
  expect(created.status).toBe(201);
  expect(
    (
      await api(
        'POST',
        '/api/v1/slos',
        latencySlo({ team: 'search', service: { namespace: 'shop', workload: 'search' } }),
      )
    ).status,
  ).toBe(201);
  await seedTraffic(
    burnwatch,
    {
      namespace: 'shop',
      workload: 'checkout',
      at: (minute) => {
        const failed =
          minute >= FAIL_FROM && minute < FAIL_FROM + 21 ? 100 : minute === FAIL_FROM + 21 ? 60 : 0;
        return { good: 100 - failed, failed };
      },
    },
    NOVEMBER,
    NOVEMBER + 30 * 1440,
  );
  expect(
    (
      await api('POST', '/api/v1/slos/checkout-errors/corrections', {
        start: '2026-11-20T02:00:00Z',
        end: '2026-11-20T04:00:00Z',
        reason: 'maintenance',
      })
    ).status,
  ).toBe(201);
  const store = burnwatch.app.get(AlertStore);
  const slo = created.body;
  const at = (text: string) => new Date(text);
  await store.apply(slo, { kind: 'fired', severity: 'ticket' }, SNAPSHOT, at('2026-11-10T00:00:00Z'));
  await store.apply(slo, { kind: 'escalated', severity: 'page' }, SNAPSHOT, at('2026-11-10T00:10:00Z'));
  await store.apply(slo, { kind: 'resolved' }, SNAPSHOT, at('2026-11-10T00:40:00Z'));
});
afterAll(() => burnwatch.close());

describe('the monthly compliance report', () => {
  it('matches the hand computation in JSON', async () => {
    const response = await api('GET', '/api/v1/reports?period=2026-11');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      period: '2026-11',
      calendar: 'month',
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-12-01T00:00:00.000Z',
      until: '2026-12-01T00:00:00.000Z',
    });
    const checkout = response.body.items.find((i: { slo: string }) => i.slo === 'checkout-errors');
    // 4,320,000 − 12,000 corrected = 4,308,000 requests; 2,160 failed; 4,308 allowed at 99.9 %.
    expect(checkout).toMatchObject({
      team: 'payments',
      objective: 99.9,
      total: 4_308_000,
      bad: 2_160,
      allowedBad: 4_308,
      achievedPercent: 99.949861, // 1 − 2,160 / 4,308,000
      met: true,
      budgetConsumedPercent: 50.1393, // 2,160 / 4,308
      pageSeconds: 1800,
      ticketSeconds: 600,
      corrections: { minutes: 120 },
      coverage: { complete: true, note: null },
    });
    expect(checkout.incidents).toEqual([
      expect.objectContaining({
        severity: 'page',
        startedAt: '2026-11-10T00:00:00.000Z',
        resolvedAt: '2026-11-10T00:40:00.000Z',
      }),
    ]);
    expect(checkout.burnDown).toHaveLength(30);
    expect(checkout.burnDown[8].remainingPercent).toBe(100);
    // After 10 November: 1,440,000 requests so far, 1,440 allowed, 2,160 spent.
    expect(checkout.burnDown[9].remainingPercent).toBe(-50);
    const search = response.body.items.find((i: { team: string }) => i.team === 'search');
    expect(search).toMatchObject({ total: 0, achievedPercent: null, met: null, budgetConsumedPercent: null });
  });

  it('gives one CSV line per SLO, and filters by team', async () => {
    const response = await fetch(`${burnwatch.url}/api/v1/reports?period=2026-11&team=payments`, {
      headers: { accept: 'text/csv' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const [header, line, end] = (await response.text()).split('\r\n');
    expect(header!.split(',').slice(0, 13)).toEqual([
      'period',
      'slo',
      'team',
      'namespace',
      'workload',
      'objective',
      'budgeting_method',
      'achieved_percent',
      'met',
      'total',
      'bad',
      'allowed_bad',
      'budget_consumed_percent',
    ]);
    expect(line!.split(',').slice(0, 17)).toEqual([
      '2026-11',
      'checkout-errors',
      'payments',
      'shop',
      'checkout',
      '99.9',
      'occurrences',
      '99.949861',
      'true',
      '4308000',
      '2160',
      '4308',
      '50.1393',
      '30',
      '10',
      '1',
      '120',
    ]);
    expect(end).toBe('');
  });

  it('says when pruned data leaves part of the period uncovered', async () => {
    clock.set(new Date('2026-12-05T00:00:00Z'));
    try {
      const checkout = (await api('GET', '/api/v1/reports?period=2026-11')).body.items.find(
        (i: { slo: string }) => i.slo === 'checkout-errors',
      );
      expect(checkout.coverage).toMatchObject({ complete: false, dataFrom: '2026-11-04T00:00:00.000Z' });
      expect(checkout.coverage.note).toContain('BURNWATCH_RETENTION_DAYS');
    } finally {
      clock.set(new Date('2026-12-01T06:00:00Z'));
    }
  });

  it.each([
    { query: '', field: 'period', says: 'is required' },
    { query: 'period=November', field: 'period', says: 'must be a month' },
    { query: 'period=2027-01', field: 'period', says: 'has not begun' },
    { query: 'period=2026-11&timeZone=Mars/Olympus', field: 'timeZone', says: 'IANA time zone' },
  ])('refuses $query with a field error', async ({ query, field, says }) => {
    const response = await api('GET', `/api/v1/reports?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ field, message: expect.stringContaining(says) }]);
  });
});
