import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { SensorStandIn } from '../support/sensor-standin.js';

// Nothing listens on port 9 (discard) here: a sensor that is down.
const DEAD_TARGET = 'http://127.0.0.1:9/metrics';
let burnwatch: RunningBurnwatch;
let sensor: SensorStandIn;
let traffic: NodeJS.Timeout;

beforeAll(async () => {
  await resetDatabase();
  sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
  traffic = setInterval(() => sensor.record(50, 502, 0.01), 100);
  burnwatch = await startTestApp({
    engine: {
      scrapeTargets: [sensor.url, DEAD_TARGET],
      scrapeIntervalSeconds: 1,
      evalIntervalSeconds: 1,
      schedule: true,
    },
  });
});
afterAll(async () => {
  clearInterval(traffic);
  await burnwatch.close();
  await sensor.stop();
});

async function eventually<T>(probe: () => Promise<T | undefined>, seconds: number): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${seconds} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the scheduled scrape and evaluation', () => {
  it('scrape a real HTTP sensor endpoint and page on their own, and say so in /metrics', async () => {
    const api = apiClient(burnwatch.url);
    await api('POST', '/api/v1/slos', errorRateSlo());
    const alert = await eventually(async () => {
      const items = (await api('GET', '/api/v1/alerts?state=firing')).body.items;
      return items.find((a: { severity: string }) => a.severity === 'page');
    }, 30);
    expect(alert.slo).toBe('checkout-errors');
    const metrics = (await api('GET', '/metrics')).body as string;
    expect(metrics).toMatch(/burnwatch_evaluator_tick_duration_seconds_count [1-9]/);
    expect(metrics).toMatch(/burnwatch_slos_evaluated_total [1-9]/);
    expect(metrics).toMatch(/burnwatch_samples_ingested_total [1-9]/);
    // The dead target is counted, and did not stop the live one from paging.
    expect(metrics).toMatch(
      /burnwatch_scrape_errors_total\{target="http:\/\/127\.0\.0\.1:9\/metrics"\} [1-9]/,
    );
  });
});
