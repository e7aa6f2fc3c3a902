import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { latencySlo } from '../support/fixtures.js';
import { SensorStandIn } from '../support/sensor-standin.js';

// Exact latency thresholds (issue 12 item 1): the scrape asks the sensor to count each sensor latency SLO's
// threshold exactly; from the next interval on, the stored minutes carry the threshold as a bound.

const START = new Date('2026-11-02T08:00:00Z');
const SCRAPE_SECONDS = 15;

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let clock: ManualClock;
let sensor: SensorStandIn;

beforeEach(async () => {
  await resetDatabase();
  clock = new ManualClock(START);
  burnwatch = await startTestApp({ engine: { scrapeIntervalSeconds: SCRAPE_SECONDS } }, clock);
  api = apiClient(burnwatch.url);
  sensor = await new SensorStandIn(
    { namespace: 'shop', workload: 'checkout' },
    { exactThresholds: true },
  ).start();
});
afterEach(async () => {
  await sensor.stop();
  await burnwatch.close();
});

const scrape = async () =>
  burnwatch.app.get(SensorScraperService).scrapeAll(clock.advance(SCRAPE_SECONDS), [sensor.url]);
const evaluate = async () => burnwatch.app.get(SloEngine).tick(clock.now());
const status = async (name: string) => (await api('GET', `/api/v1/slos/${name}/status`)).body;

/** Requests on both sides of 350 ms, all inside the sensor's 300–400 ms bucket, plus some far from it. */
function trafficAround350ms(): void {
  sensor.record(40, 200, 0.02);
  sensor.record(30, 200, 0.32);
  sensor.record(20, 200, 0.35); // at the threshold: good (within, as the sensor counts ≤)
  sensor.record(7, 200, 0.36);
  sensor.record(3, 200, 0.38);
  sensor.record(5, 200, 0.9);
}
const SLOW_PER_ROUND = 7 + 3 + 5;
const REQUESTS_PER_ROUND = 105;

const slo = (name: string, thresholdMs: number) =>
  latencySlo({
    name,
    service: { namespace: 'shop', workload: 'checkout' },
    indicator: { type: 'latency', thresholdMs },
  });

describe('exact latency thresholds', () => {
  it('counts a 350 ms SLO exactly, with approximate: false, from the scrape after it exists', async () => {
    expect((await api('POST', '/api/v1/slos', slo('checkout-350', 350))).status).toBe(201);
    await scrape(); // the target's baseline; the sensor counts 350 ms from now on
    expect(sensor.exactThresholdsMs()).toEqual([350]);
    for (let round = 0; round < 4; round++) {
      trafficAround350ms();
      await scrape();
    }
    await evaluate();
    const exact = await status('checkout-350');
    expect(exact.sli).toMatchObject({
      total: 4 * REQUESTS_PER_ROUND,
      bad: 4 * SLOW_PER_ROUND,
      approximate: false,
    });
  });

  it('uses a threshold asked for after the SLO existed from the next scrape on; older data stays flagged', async () => {
    expect((await api('POST', '/api/v1/slos', slo('checkout-1200', 1200))).status).toBe(201);
    await scrape();
    trafficAround350ms();
    await scrape();
    // A 350 ms SLO created now: the minutes so far split the 300–400 ms bucket by interpolation.
    expect((await api('POST', '/api/v1/slos', slo('checkout-350', 350))).status).toBe(201);
    await evaluate();
    const before = await status('checkout-350');
    expect(before.sli.approximate).toBe(true);
    // Interpolated: 60 requests in the 300–400 ms bucket, half of them taken as above 350 ms (10 really are).
    expect(before.sli.bad).toBeCloseTo(30 + 5, 6);

    // The next scrape asks for 350 ms (its interval is still interpolated), the ones after it count exactly.
    trafficAround350ms();
    await scrape();
    expect(sensor.exactThresholdsMs()).toEqual(expect.arrayContaining([350, 1200]));
    const interpolatedBad = (await evaluate(), await status('checkout-350')).sli.bad as number;
    for (let round = 0; round < 3; round++) {
      trafficAround350ms();
      await scrape();
    }
    await evaluate();
    const after = await status('checkout-350');
    expect(after.sli.total).toBe(5 * REQUESTS_PER_ROUND);
    expect(after.sli.bad).toBeCloseTo(interpolatedBad + 3 * SLOW_PER_ROUND, 6);
    // The earlier minutes are still in the window, interpolated: the SLO says so.
    expect(after.sli.approximate).toBe(true);
    // The 1200 ms SLO was exact from its first interval after the baseline.
    expect((await status('checkout-1200')).sli).toMatchObject({ bad: 0, approximate: false });
  });

  it('counts every request once when the sensor answers text only (no exact counts)', async () => {
    const textOnly = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
    try {
      expect((await api('POST', '/api/v1/slos', slo('checkout-350', 350))).status).toBe(201);
      await burnwatch.app.get(SensorScraperService).scrapeAll(clock.advance(SCRAPE_SECONDS), [textOnly.url]);
      textOnly.record(60, 200, 0.35);
      await burnwatch.app.get(SensorScraperService).scrapeAll(clock.advance(SCRAPE_SECONDS), [textOnly.url]);
      await evaluate();
      expect((await status('checkout-350')).sli).toMatchObject({ total: 60, approximate: true });
    } finally {
      await textOnly.stop();
    }
  });
});
