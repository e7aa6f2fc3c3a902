import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { seriesKey } from '../../src/integrations/metrics/sensor-histograms.js';
import { SliRepository } from '../../src/sli/sli-repository.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { checkoutSeriesLabels, errorRateSlo } from '../support/fixtures.js';

// A new SLO's first evaluation backfills a week of stored minutes (most of it beyond the engine's 26 h of minute
// resolution, read as hours). Each stored request must be in its window once, whenever the backfill runs and
// whoever asks for it first.
const BOUNDS = [0.1, 1];
const DAYS = 7;
/** The data starts this many minutes after the window's first minute, inside that minute's hour. */
const LATE_START = 4;
let burnwatch: RunningBurnwatch | undefined;
afterEach(async () => {
  await burnwatch?.close();
  burnwatch = undefined;
});

/** The service at `now`, a week of 9 good and 1 failed request per minute up to `now`, and a 7 d error-rate SLO. */
async function weekOfData(now: Date): Promise<{ engine: SloEngine; minutes: number }> {
  await resetDatabase();
  burnwatch = await startTestApp({}, new ManualClock(now));
  const nowMinute = Math.floor(now.getTime() / 60_000);
  const labels = (statusCode: number) => checkoutSeriesLabels(statusCode, '/', 'GET');
  await burnwatch.app.get(SliRepository).addDeltas(
    [200, 503].map((status) => ({
      key: seriesKey(labels(status), BOUNDS),
      labels: labels(status),
      bounds: BOUNDS,
      buckets: [0, 0, 0],
      requests: 0,
    })),
    now,
  );
  const firstMinute = nowMinute - DAYS * 1440 + 1 + LATE_START;
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  await client.query(
    `INSERT INTO sli_minutes (series_id, minute, requests, buckets)
     SELECT s.id, m, CASE WHEN s.status_code = 200 THEN 9 ELSE 1 END,
            CASE WHEN s.status_code = 200 THEN ARRAY[9, 0, 0] ELSE ARRAY[1, 0, 0] END
     FROM sli_series s, generate_series($1::int, $2::int) AS m
     ON CONFLICT (series_id, minute) DO UPDATE SET requests = EXCLUDED.requests, buckets = EXCLUDED.buckets`,
    [firstMinute, nowMinute - 1],
  );
  await client.end();
  const created = await apiClient(burnwatch.url)(
    'POST',
    '/api/v1/slos',
    errorRateSlo({ window: '7d', objective: 99 }),
  );
  expect(created.status).toBe(201);
  return { engine: burnwatch.app.get(SloEngine), minutes: nowMinute - firstMinute };
}

describe("a new SLO's backfill", () => {
  it.each([
    { at: '2026-11-20T10:00:30Z', why: 'a tick in the first minute of an hour' },
    { at: '2026-11-20T10:01:30Z', why: 'a tick in the second minute of an hour' },
    { at: '2026-11-20T10:37:30Z', why: 'a tick inside an hour' },
    { at: '2026-11-20T10:59:30Z', why: 'a tick in the last minute of an hour' },
  ])('holds every stored request of the window once after $why', async ({ at }) => {
    const now = new Date(at);
    const { engine, minutes } = await weekOfData(now);
    await engine.tick(now);
    expect((await engine.statusOf('checkout-errors', now))!.sli).toMatchObject({
      total: minutes * 10,
      bad: minutes,
    });
  });

  it('runs once when the tick and status requests (the UI polling) ask for it at the same time', async () => {
    const now = new Date('2026-11-20T10:37:30Z');
    const { engine, minutes } = await weekOfData(now);
    await Promise.all([
      engine.tick(now),
      engine.statusesOf(['checkout-errors'], now),
      engine.statusesOf(['checkout-errors'], now),
    ]);
    expect((await engine.statusOf('checkout-errors', now))!.sli).toMatchObject({
      total: minutes * 10,
      bad: minutes,
    });
  });
});
