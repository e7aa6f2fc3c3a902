import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SliRepository } from '../../src/sli/sli-repository.js';
import { seriesKey } from '../../src/integrations/metrics/sensor-histograms.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { checkoutSeriesLabels, errorRateSlo, latencySlo } from '../support/fixtures.js';

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;

const BOUNDS = [0.05, 0.1, 0.25, 0.5, 1];
const DAY_MINUTES = 1440;

/** 30 days of per-minute data for a few series of shop/checkout, written as the scraper would store it. */
async function storeMonthOfData(now: Date): Promise<void> {
  const repository = burnwatch.app.get(SliRepository);
  const labels = (statusCode: number, route: string) => checkoutSeriesLabels(statusCode, route);
  const series = [200, 500].flatMap((status) =>
    ['/api/checkout', '/api/pay'].map((route) => labels(status, route)),
  );
  await repository.addDeltas(
    series.map((l) => ({
      key: seriesKey(l, BOUNDS),
      labels: l,
      bounds: BOUNDS,
      buckets: [1, 0, 0, 0, 0, 0],
      requests: 1,
    })),
    now,
  );
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  await client.query(
    `INSERT INTO sli_minutes (series_id, minute, requests, buckets)
     SELECT s.id, m, 60, ARRAY[40, 10, 5, 3, 1, 1]
     FROM sli_series s, generate_series($1::int, $2::int) AS m
     ON CONFLICT DO NOTHING`,
    [Math.floor(now.getTime() / 60_000) - 30 * DAY_MINUTES, Math.floor(now.getTime() / 60_000) - 1],
  );
  await client.end();
}

beforeAll(async () => {
  burnwatch = await startTestApp();
  api = apiClient(burnwatch.url);
  await resetDatabase();
  await api('POST', '/api/v1/slos', latencySlo());
  await api('POST', '/api/v1/slos', errorRateSlo());
  await storeMonthOfData(new Date());
});
afterAll(() => burnwatch.close());

const TIMESERIES = '/api/v1/slos/checkout-latency/timeseries';

describe('timeseries parameters', () => {
  it.each([
    { query: 'from=-1', field: 'from' },
    { query: 'from=0&to=9999999999', field: 'from' },
    { query: 'to=9999999999', field: 'to' },
    { query: 'from=2026-12-01T00:00:00', field: 'from' },
    { query: 'to=2026-02-30T00:00:00Z', field: 'to' },
  ])('refuses $query with 400 naming $field', async ({ query, field }) => {
    const response = await api('GET', `${TIMESERIES}?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(response.body.errors[0].message).toContain('ISO 8601 time with a zone');
  });

  it('reads a time with an offset as the same instant as in UTC', async () => {
    const utc = await api('GET', `${TIMESERIES}?from=2026-11-01T00:00:00Z&to=2026-11-02T00:00:00Z`);
    const offset = await api(
      'GET',
      `${TIMESERIES}?from=2026-11-01T01:00:00%2B01:00&to=2026-11-01T19:00:00-05:00`,
    );
    expect(utc.status).toBe(200);
    expect(offset.body.from).toBe(utc.body.from);
    expect(offset.body.to).toBe(utc.body.to);
  });

  it('refuses a step that would give more than 2,000 points, naming the smallest step allowed', async () => {
    const response = await api(
      'GET',
      `${TIMESERIES}?from=2000-01-01T00:00:00Z&to=2099-01-01T00:00:00Z&step=60`,
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([
      {
        field: 'step',
        message: expect.stringMatching(/^gives more than 2000 points; use a step of at least \d+ s$/),
      },
    ]);
  });

  it('answers the widest range allowed with at most 500 points by default, counting the stored data', async () => {
    const response = await api('GET', `${TIMESERIES}?from=2000-01-01T00:00:00Z&to=2099-12-31T00:00:00Z`);
    expect(response.status).toBe(200);
    expect(response.body.timestamps.length).toBeLessThanOrEqual(500);
    const requests = response.body.requests.reduce((a: number, b: number) => a + b, 0);
    // Both SLO routes are within checkout-latency's service selector only for /api/checkout: two series of four.
    expect(requests).toBe(2 * 60 * 30 * DAY_MINUTES + 2);
  });
});
