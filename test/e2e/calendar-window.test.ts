import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { SensorStandIn } from '../support/sensor-standin.js';

/** A calendar-month SLO in Berlin across midnight of 1 December (23:00 UTC), on sensor data through the engine. */
let burnwatch: RunningBurnwatch;
let sensor: SensorStandIn;
let api: ReturnType<typeof apiClient>;
const clock = new ManualClock(new Date('2026-11-30T21:00:00Z'));

beforeAll(async () => {
  await resetDatabase();
  sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
  burnwatch = await startTestApp({}, clock);
  api = apiClient(burnwatch.url);
  const created = await api(
    'POST',
    '/api/v1/slos',
    errorRateSlo({ window: { calendar: 'month', timeZone: 'Europe/Berlin' } }),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect(created.body.errorBudget.description).toBe(
    '0.1 % of requests per calendar month (Europe/Berlin) may fail',
  );
  // A calendar month alerts with the tiers of a 30 d window: the workbook's table.
  expect(created.body.effectiveAlerting.windows[0]).toMatchObject({ longWindow: '1h', burnRate: 14.4 });
});
afterAll(async () => {
  await burnwatch?.close();
  await sensor?.stop();
});

async function run(until: string, status: (at: Date) => number): Promise<void> {
  const engine = burnwatch.app.get(SloEngine);
  const scraper = burnwatch.app.get(SensorScraperService);
  while (clock.now() < new Date(until)) {
    sensor.record(1500, status(clock.now()), 0.02);
    const now = clock.advance(15);
    await scraper.scrapeAll(now, [sensor.url]);
    if (now.getUTCSeconds() === 0) await engine.tick(now);
  }
}
const status = async () => (await api('GET', '/api/v1/slos/checkout-errors/status')).body;

describe('a calendar-month SLO', () => {
  it('budgets November until midnight in Berlin, then starts December with the whole budget', async () => {
    // Ten minutes of errors at 22:00 UTC (23:00 in Berlin, still November).
    await run('2026-11-30T22:59:00Z', (at) =>
      at >= new Date('2026-11-30T22:00:00Z') && at < new Date('2026-11-30T22:10:00Z') ? 503 : 200,
    );
    const november = await status();
    expect(november.budgetPeriod).toEqual({
      from: '2026-10-31T23:00:00.000Z',
      to: '2026-11-30T23:00:00.000Z',
    });
    expect(november.sli.bad).toBe(10 * 60 * 100);
    expect(november.errorBudget.remainingPercent).toBeLessThan(0);

    await run('2026-11-30T23:10:00Z', () => 200);
    const december = await status();
    expect(december.budgetPeriod).toEqual({
      from: '2026-11-30T23:00:00.000Z',
      to: '2026-12-31T23:00:00.000Z',
    });
    expect(december.sli.bad).toBe(0);
    // Only December's requests: ten minutes at 100 per second (and the one just begun).
    expect(december.sli.total).toBeGreaterThanOrEqual(10 * 60 * 100);
    expect(december.sli.total).toBeLessThanOrEqual(11 * 60 * 100);
    expect(december.errorBudget.remainingPercent).toBe(100);
    // The rolling tiers still remember the burn of an hour ago.
    expect(
      december.burnRates.find((w: { longWindow: string }) => w.longWindow === '1d').long,
    ).toBeGreaterThan(1);
  });

  it('exports and re-imports its calendar window through OpenSLO', async () => {
    const yaml = await (await fetch(`${burnwatch.url}/api/v1/slos/checkout-errors/openslo`)).text();
    expect(yaml).toContain('isRolling: false');
    expect(yaml).toContain('timeZone: Europe/Berlin');
    const reimported = await api(
      'POST',
      '/api/v1/openslo',
      yaml.replace(/name: checkout-errors/g, 'name: copy'),
      'application/yaml',
    );
    expect(reimported.status, JSON.stringify(reimported.body)).toBeLessThan(300);
    expect((await api('GET', '/api/v1/slos/copy')).body.window).toEqual({
      calendar: 'month',
      timeZone: 'Europe/Berlin',
    });
  });
});
