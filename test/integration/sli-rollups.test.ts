import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { seriesKey } from '../../src/integrations/metrics/sensor-histograms.js';
import { minuteResolutionFrom, rollupBefore } from '../../src/sli/hourly.js';
import { SliRepository, minuteOf } from '../../src/sli/sli-repository.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { checkoutSeriesLabels, errorRateSlo, latencySlo } from '../support/fixtures.js';

/** Bounds at the latency SLO's 300 ms threshold, so that its bad events are exact (no interpolation). */
const BOUNDS = [0.1, 0.3, 1];
const NOW = new Date('2026-11-20T10:37:20Z');
const NOW_MINUTE = minuteOf(NOW);
const FIRST_MINUTE = NOW_MINUTE - 4 * 1440 - 23;

let burnwatch: RunningBurnwatch;
let repository: SliRepository;
let clock: ManualClock;
let seriesIds: number[];

async function sql<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: inject('databaseUrl') });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/**
 * Four days of uneven per-minute data for four series of shop/checkout (two statuses, two routes): some minutes
 * empty, some with a zero-request row, bucket counts that sum to the requests.
 */
async function storeHistory(): Promise<void> {
  const labels = (statusCode: number, route: string) => checkoutSeriesLabels(statusCode, route);
  const series = [200, 503].flatMap((status) =>
    ['/api/checkout', '/api/pay'].map((route) => labels(status, route)),
  );
  await repository.addDeltas(
    series.map((l) => ({
      key: seriesKey(l, BOUNDS),
      labels: l,
      bounds: BOUNDS,
      buckets: [1, 0, 0, 0],
      requests: 1,
    })),
    new Date(FIRST_MINUTE * 60_000),
  );
  await sql(
    `INSERT INTO sli_minutes (series_id, minute, requests, buckets)
     SELECT id, m, r, ARRAY[r - r / 3 - r / 5, r / 3, r / 5 - r / 7, r / 7]
     FROM (SELECT s.id, m, ((m * 7 + s.id * 3) % 13) * (1 + s.id % 2) AS r
           FROM sli_series s, generate_series($1::int, $2::int) AS m) t
     WHERE (m + id) % 11 <> 0
     ON CONFLICT DO NOTHING`,
    [FIRST_MINUTE + 1, NOW_MINUTE],
  );
  seriesIds = (await sql<{ id: number }>(`SELECT id FROM sli_series ORDER BY id`)).map((r) => r.id);
}

/** Per series: requests and bucket sums over [from, to), whatever the resolution they are stored at. */
async function totals(
  from: number,
  to: number,
): Promise<Record<number, { requests: number; buckets: number[] }>> {
  const { rows } = await repository.rowsFrom(from, to);
  const result: Record<number, { requests: number; buckets: number[] }> = {};
  for (const row of rows) {
    const t = (result[row.seriesId] ??= { requests: 0, buckets: [0, 0, 0, 0] });
    t.requests += row.requests;
    row.buckets.forEach((n, i) => (t.buckets[i]! += n));
  }
  // Spread hours are shares of whole numbers: round away the float artefacts of adding them back up.
  for (const t of Object.values(result)) {
    t.requests = Math.round(t.requests * 1e6) / 1e6;
    t.buckets = t.buckets.map((n) => Math.round(n * 1e6) / 1e6);
  }
  return result;
}

const HOUR_ALIGNED_RANGES: [string, number, number][] = [
  ['all of it', Math.floor(FIRST_MINUTE / 60) * 60, NOW_MINUTE + 1],
  [
    'from an old hour to a minute inside the per-minute part',
    (Math.floor(NOW_MINUTE / 60) - 50) * 60,
    NOW_MINUTE - 77,
  ],
  ['ending exactly at the boundary', (Math.floor(NOW_MINUTE / 60) - 40) * 60, rollupBefore(NOW_MINUTE)],
  ['starting at the boundary', rollupBefore(NOW_MINUTE), NOW_MINUTE - 3],
];

/** Two SLOs' worth of groups: all four series from the first hour, two of them from a later one. */
const hourGroups = () => [
  { group: 0, from: Math.floor(FIRST_MINUTE / 60), seriesIds, badSeriesIds: [seriesIds[2]!] },
  { group: 1, from: Math.floor(FIRST_MINUTE / 60) + 30, seriesIds: seriesIds.slice(1, 3), badSeriesIds: [] },
];

let before: Record<string, Awaited<ReturnType<typeof totals>>>;
let hourSumsBefore: unknown;
let evaluationsBefore: Record<string, unknown>;
let readsBefore: Awaited<ReturnType<typeof reads>>;

const round = (values: (number | null)[]) =>
  values.map((v) => (v === null ? null : Math.round(v * 1e6) / 1e6));
const HOUR_ALIGNED_FROM = new Date((Math.floor(FIRST_MINUTE / 60) + 1) * 3_600_000).toISOString();
const HOUR_ALIGNED_TO = new Date(Math.floor(NOW_MINUTE / 60) * 3_600_000).toISOString();

/** What the API's readers of old data say: the chart's hourly steps, the month's report, the deploys' costs. */
async function reads() {
  const api = apiClient(burnwatch.url);
  const result: Record<string, unknown> = {};
  for (const slo of ['checkout-errors', 'checkout-latency']) {
    const chart = await api(
      'GET',
      `/api/v1/slos/${slo}/timeseries?from=${HOUR_ALIGNED_FROM}&to=${HOUR_ALIGNED_TO}&step=3600`,
    );
    expect(chart.status).toBe(200);
    const deploys = await api(
      'GET',
      `/api/v1/slos/${slo}/deploys?from=${HOUR_ALIGNED_FROM}&to=${HOUR_ALIGNED_TO}`,
    );
    expect(deploys.status).toBe(200);
    result[slo] = {
      requests: round(chart.body.requests),
      bad: round(chart.body.bad),
      sliPercent: round(chart.body.sliPercent),
      chartResolution: chart.body.resolution,
      // Served from/to stay exact: an hour keeps which of its minutes had data.
      deploys: deploys.body.items,
      deploysResolution: deploys.body.resolution,
    };
  }
  const report = await api('GET', '/api/v1/reports?period=2026-11');
  expect(report.status).toBe(200);
  result.report = report.body.items.map((r: Record<string, unknown>) => ({
    slo: r.slo,
    total: r.total,
    bad: r.bad,
    achievedPercent: r.achievedPercent,
    burnDown: r.burnDown,
    resolution: r.resolution,
  }));
  return result;
}

async function evaluations(): Promise<Record<string, unknown>> {
  const engine = burnwatch.app.get(SloEngine);
  await engine.tick(clock.now());
  const result: Record<string, unknown> = {};
  for (const name of ['checkout-errors', 'checkout-latency']) {
    const e = (await engine.statusOf(name, clock.now()))!;
    result[name] = { status: e.status, sli: e.sli, errorBudget: e.errorBudget, burnRates: e.burnRates };
  }
  return result;
}

beforeAll(async () => {
  await resetDatabase();
  clock = new ManualClock(NOW);
  burnwatch = await startTestApp({}, clock);
  repository = burnwatch.app.get(SliRepository);
  const api = apiClient(burnwatch.url);
  expect((await api('POST', '/api/v1/slos', errorRateSlo())).status).toBe(201);
  expect((await api('POST', '/api/v1/slos', latencySlo())).status).toBe(201);
  await storeHistory();
  before = {};
  for (const [name, from, to] of HOUR_ALIGNED_RANGES) before[name] = await totals(from, to);
  hourSumsBefore = await repository.sums('hour', hourGroups(), Math.ceil(NOW_MINUTE / 60));
  evaluationsBefore = await evaluations();
  // Four days of data, most of it beyond the boundary: the evaluations have something to lose.
  for (const e of Object.values(evaluationsBefore) as { sli: { total: number; bad: number } }[]) {
    expect(e.sli.total).toBeGreaterThan(10_000);
    expect(e.sli.bad).toBeGreaterThan(0);
  }
  readsBefore = await reads();
  // Three replicas' rollup jobs at once: each minute row must move exactly once.
  const engine = burnwatch.app.get(SloEngine);
  await Promise.all([1, 2, 3].map(() => engine.maintainStorage(NOW, 31)));
});
afterAll(async () => {
  await burnwatch.close();
});

describe('hourly rollups of the per-minute SLI rows', () => {
  it('keep minute rows only from the boundary on, and hold every older minute in hourly rows', async () => {
    const [counts] = await sql<{ oldest: number; hours: string; minutes_before: string }>(
      `SELECT (SELECT min(minute) FROM sli_minutes) AS oldest, (SELECT count(*) FROM sli_hours) AS hours,
              (SELECT count(*) FROM sli_minutes WHERE minute < $1) AS minutes_before`,
      [rollupBefore(NOW_MINUTE)],
    );
    expect(Number(counts!.minutes_before)).toBe(0);
    expect(counts!.oldest).toBe(rollupBefore(NOW_MINUTE));
    expect(NOW_MINUTE - counts!.oldest).toBeGreaterThanOrEqual(26 * 60);
    // Four series over the hours from the first minute's to the boundary's.
    const hours = rollupBefore(NOW_MINUTE) / 60 - Math.floor(FIRST_MINUTE / 60);
    expect(Number(counts!.hours)).toBe(4 * hours);
  });

  it.each(HOUR_ALIGNED_RANGES)(
    'leave the sums of a range %s exactly as they were per minute',
    async (name, from, to) => {
      expect(await totals(from, to)).toEqual(before[name]);
    },
  );

  it('keep the minutes with data of several series exact (the union of their minutes)', async () => {
    expect(await repository.sums('hour', hourGroups(), Math.ceil(NOW_MINUTE / 60))).toEqual(hourSumsBefore);
  });

  it('say how far a read came at hour resolution', async () => {
    const cut = await repository.rowsFrom(NOW_MINUTE - 2 * 1440 + 13, NOW_MINUTE);
    expect(cut.hourlyUntilMinute).toBe(rollupBefore(NOW_MINUTE));
    expect(
      (await repository.rowsFrom(minuteResolutionFrom(NOW_MINUTE), NOW_MINUTE)).hourlyUntilMinute,
    ).toBeNull();
  });

  it('leave the charts, reports and deploy costs of whole hours as they were, saying the data came per hour', async () => {
    const after = await reads();
    const hourlyUntil = new Date(rollupBefore(NOW_MINUTE) * 60_000).toISOString();
    for (const slo of ['checkout-errors', 'checkout-latency']) {
      const a = after[slo] as Record<string, unknown>;
      const b = readsBefore[slo] as Record<string, unknown>;
      expect(b.chartResolution).toEqual({ hourlyUntil: null });
      expect(a.chartResolution).toEqual({ hourlyUntil });
      expect(a.deploysResolution).toEqual({ hourlyUntil });
      expect({ ...a, chartResolution: null, deploysResolution: null }).toEqual({
        ...b,
        chartResolution: null,
        deploysResolution: null,
      });
      expect((a.requests as number[]).reduce((x, y) => x + y, 0)).toBeGreaterThan(10_000);
    }
    // And counted: the minutes moved, and the hours read where minutes were asked for.
    const metrics = await (await fetch(`${burnwatch.url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? 0);
    expect(value('burnwatch_sli_minutes_rolled_up_total')).toBeGreaterThan(4 * 60 * 48);
    expect(value('burnwatch_sli_hours_spread_total\\{reader="timeseries"\\}')).toBeGreaterThan(0);
    expect(value('burnwatch_sli_hours_spread_total\\{reader="per-image"\\}')).toBeGreaterThan(0);
    const report = after.report as { resolution: unknown }[];
    expect(report.map((r) => r.resolution)).toEqual([{ hourlyUntil }, { hourlyUntil }]);
    expect(report.map((r) => ({ ...r, resolution: null }))).toEqual(
      (readsBefore.report as { resolution: unknown }[]).map((r) => ({ ...r, resolution: null })),
    );
  });

  it('give a restarted engine, backfilling from hours and minutes, the evaluations it had from minutes only', async () => {
    await burnwatch.close();
    burnwatch = await startTestApp({}, clock);
    repository = burnwatch.app.get(SliRepository);
    expect(await evaluations()).toEqual(evaluationsBefore);
  });

  it('change nothing when run again, and add a late minute of a rolled-up hour to its hour', async () => {
    const engine = burnwatch.app.get(SloEngine);
    expect((await engine.maintainStorage(NOW, 31)).rolledUp).toBe(0);
    const hour = Math.floor(FIRST_MINUTE / 60) + 5;
    const [row] = await sql<{ requests: string }>(
      `SELECT requests FROM sli_hours WHERE series_id = $1 AND hour = $2`,
      [seriesIds[0], hour],
    );
    await sql(`DELETE FROM sli_minutes WHERE series_id = $1 AND minute = $2`, [seriesIds[0], hour * 60 + 7]);
    await sql(
      `INSERT INTO sli_minutes (series_id, minute, requests, buckets) VALUES ($1, $2, 9, '{9,0,0,0}')`,
      [seriesIds[0], hour * 60 + 7],
    );
    const range = await totals(hour * 60, hour * 60 + 60);
    expect((await engine.maintainStorage(NOW, 31)).rolledUp).toBe(1);
    expect(await totals(hour * 60, hour * 60 + 60)).toEqual(range);
    expect(range[seriesIds[0]!]!.requests).toBe(Number(row!.requests) + 9);
  });
});

describe('bucket arrays in storage', () => {
  it('are stored without their empty slow buckets, merged across scrapes and rollups, and read back at full length', async () => {
    await resetDatabase();
    const labels = checkoutSeriesLabels(200, '/api/trimmed');
    const delta = (buckets: number[]) => ({
      key: seriesKey(labels, BOUNDS),
      labels,
      bounds: BOUNDS,
      buckets,
      requests: buckets.reduce((a, b) => a + b, 0),
    });
    const hour = Math.floor(NOW_MINUTE / 60) - 30;
    const at = (minute: number) => new Date((hour * 60 + minute) * 60_000);
    // Two scrapes in one minute, the second reaching a slower bucket; a later minute with fast requests only.
    await repository.addDeltas([delta([3, 0, 0, 0])], at(5));
    await repository.addDeltas([delta([1, 0, 2, 0])], at(5));
    await repository.addDeltas([delta([4, 0, 0, 0])], at(9));
    const stored = await sql<{ minute: number; buckets: number[] }>(
      `SELECT minute - $1 * 60 AS minute, buckets FROM sli_minutes ORDER BY minute`,
      [hour],
    );
    expect(stored).toEqual([
      { minute: 5, buckets: [4, 0, 2] },
      { minute: 9, buckets: [4] },
    ]);
    const minutes = await repository.minutesFrom(hour * 60, hour * 60 + 60);
    expect(minutes.map((m) => [m.minute - hour * 60, m.requests, m.buckets])).toEqual([
      [5, 6, [4, 0, 2, 0]],
      [9, 4, [4, 0, 0, 0]],
    ]);
    await repository.rollUpBefore((hour + 1) * 60);
    const [rolled] = await sql<{ buckets: string[] }>(`SELECT buckets FROM sli_hours WHERE hour = $1`, [
      hour,
    ]);
    expect(rolled!.buckets.map(Number)).toEqual([8, 0, 2]);
    const [read] = await repository.hoursFrom(hour, hour + 1);
    expect(read).toMatchObject({ requests: 10, buckets: [8, 0, 2, 0] });
    const [summed] = await repository.seriesHours(hour, hour + 1, [read!.seriesId], true);
    expect(summed).toMatchObject({ requests: 10, buckets: [8, 0, 2, 0] });
  });
});
