import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataSource } from 'typeorm';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo, latencySlo } from '../support/fixtures.js';

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let engine: SloEngine;
let clock: ManualClock;
const queries: string[] = [];

beforeAll(async () => {
  await resetDatabase();
  clock = new ManualClock(new Date('2026-11-20T10:00:00Z'));
  burnwatch = await startTestApp({}, clock);
  api = apiClient(burnwatch.url);
  engine = burnwatch.app.get(SloEngine);
  // Every statement the service sends, to see which read the SLO specs.
  const dataSource = burnwatch.app.get(DataSource);
  const query = dataSource.query.bind(dataSource);
  dataSource.query = ((sql: string, parameters?: unknown[]) => {
    queries.push(sql);
    return query(sql, parameters);
  }) as DataSource['query'];
  expect((await api('POST', '/api/v1/slos', errorRateSlo())).status).toBe(201);
  expect((await api('POST', '/api/v1/slos', latencySlo())).status).toBe(201);
});
afterAll(() => burnwatch.close());

const specReads = () => queries.filter((q) => /SELECT[^;]*\bspec\b[^;]*FROM slos/s.test(q));
const tick = async () => {
  queries.length = 0;
  await engine.tick(clock.advance(30));
};

describe('the engine between ticks', () => {
  it('reads no SLO spec when none changed, and only the changed one when one did', async () => {
    await tick();
    expect(specReads()).toHaveLength(1);
    await tick();
    expect(specReads()).toEqual([]);

    const windowsBefore = (await engine.statusOf('checkout-errors', clock.now()))!.burnRates.map(
      (b) => b.longWindow,
    );
    const updated = await api(
      'PUT',
      '/api/v1/slos/checkout-errors',
      { ...errorRateSlo(), window: '7d' },
      'application/json',
    );
    expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    await tick();
    expect(specReads()).toHaveLength(1);
    // The 7 d window's tiers are the 30 d ones scaled down (docs/burn-rate-math.md).
    const windowsAfter = (await engine.statusOf('checkout-errors', clock.now()))!.burnRates.map(
      (b) => b.longWindow,
    );
    expect(windowsAfter).not.toEqual(windowsBefore);
    expect(windowsBefore[0]).toBe('1h');
  });

  it('notices a deleted SLO without reading any spec', async () => {
    expect((await api('DELETE', '/api/v1/slos/checkout-latency')).status).toBe(204);
    await tick();
    expect(specReads()).toEqual([]);
    expect(await engine.statusOf('checkout-latency', clock.now())).toBeUndefined();
    expect(await engine.statusOf('checkout-errors', clock.now())).toBeDefined();
  });
});
