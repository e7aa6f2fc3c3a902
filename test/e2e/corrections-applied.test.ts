import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { SensorStandIn } from '../support/sensor-standin.js';

/**
 * A planned load test that fails every request, on real sensor-shaped data through the scraper and the engine:
 * inside a budget correction it pages nobody and spends no budget; the same failures outside it page.
 */
const START = new Date('2026-11-10T08:00:00Z');
const RPS = 100;
let burnwatch: RunningBurnwatch;
let sensor: SensorStandIn;
let clock: ManualClock;
let api: ReturnType<typeof apiClient>;

beforeEach(async () => {
  await resetDatabase();
  clock = new ManualClock(START);
  sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
  burnwatch = await startTestApp({}, clock);
  api = apiClient(burnwatch.url);
  expect((await api('POST', '/api/v1/slos', errorRateSlo({ window: '30d' }))).status).toBe(201);
});
afterEach(async () => {
  await burnwatch.close();
  await sensor.stop();
});

async function run(seconds: number, status: number, stepSeconds = 15): Promise<void> {
  const engine = burnwatch.app.get(SloEngine);
  const scraper = burnwatch.app.get(SensorScraperService);
  for (let t = 0; t < seconds; t += stepSeconds) {
    sensor.record(RPS * stepSeconds, status, 0.02);
    const now = clock.advance(stepSeconds);
    await scraper.scrapeAll(now, [sensor.url]);
    if (t % 30 === 15 || stepSeconds > 15) await engine.tick(now);
  }
}
const status = async () => (await api('GET', '/api/v1/slos/checkout-errors/status')).body;
const alerts = async () => (await api('GET', '/api/v1/alerts?slo=checkout-errors')).body.items;

describe('a budget correction in the engine', () => {
  it('keeps a load test inside it from paging or spending budget, shows it, and pages on the same failures after it', async () => {
    await run(3600, 200, 300);
    const loadTestStart = clock.now();
    const created = await api('POST', '/api/v1/slos/checkout-errors/corrections', {
      start: loadTestStart.toISOString(),
      end: new Date(loadTestStart.getTime() + 20 * 60_000).toISOString(),
      reason: 'planned load test',
    });
    expect(created.status).toBe(201);

    await run(600, 503); // ten minutes of 100 % errors, all inside the correction
    const during = await status();
    expect(await alerts()).toEqual([]);
    expect(during.sli.bad).toBe(0);
    expect(during.errorBudget.remainingPercent).toBe(100);
    // Ten minutes past, plus the current one that has just begun (windows include it).
    expect(during.corrections).toEqual({ excludedMinutes: 11, activeNow: true });

    await run(600, 200); // the correction's last ten minutes, healthy
    const series = (await api('GET', '/api/v1/slos/checkout-errors/timeseries')).body;
    expect(series.corrected).toEqual([
      {
        from: loadTestStart.toISOString(),
        to: new Date(loadTestStart.getTime() + 20 * 60_000).toISOString(),
      },
    ]);
    expect(series.bad.reduce((a: number, b: number) => a + b, 0)).toBe(0);

    await run(300, 503); // the same failures, after the correction
    expect((await status()).corrections.activeNow).toBe(false);
    expect(await alerts()).toMatchObject([{ state: 'firing', severity: 'page' }]);
    expect((await status()).sli.bad).toBeGreaterThan(0);
  });
});
