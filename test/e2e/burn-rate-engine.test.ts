import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo, latencySlo, timesliceSlo } from '../support/fixtures.js';
import { SensorStandIn } from '../support/sensor-standin.js';

const SCRAPE_SECONDS = 15;
const EVAL_SECONDS = 30;
const RPS = 100;
const START = new Date('2026-11-02T08:00:00Z');

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let clock: ManualClock;
let sensor: SensorStandIn;
let engine: SloEngine;
let scraper: SensorScraperService;
let elapsed = 0;

// A fresh service per test: the engine's memory must not carry one test's series into the next.
beforeEach(async () => {
  await resetDatabase();
  clock = new ManualClock(START);
  elapsed = 0;
  burnwatch = await startTestApp(
    { engine: { scrapeIntervalSeconds: SCRAPE_SECONDS, evalIntervalSeconds: EVAL_SECONDS } },
    clock,
  );
  api = apiClient(burnwatch.url);
  engine = burnwatch.app.get(SloEngine);
  scraper = burnwatch.app.get(SensorScraperService);
  sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
});
afterEach(async () => {
  await sensor.stop();
  await burnwatch.close();
});

/**
 * Moves simulated time on in scrape steps, with `traffic` recorded by the sensor in each step, scraping every
 * 15 s and evaluating every 30 s as the schedule would. Stops early when `until` holds after an evaluation.
 */
async function run(
  seconds: number,
  traffic: (stepSeconds: number) => void,
  until?: () => Promise<boolean>,
  stepSeconds = SCRAPE_SECONDS,
): Promise<number | undefined> {
  for (let t = 0; t < seconds; t += stepSeconds) {
    traffic(stepSeconds);
    const now = clock.advance(stepSeconds);
    elapsed += stepSeconds;
    await scraper.scrapeAll(now, [sensor.url]);
    if (elapsed % EVAL_SECONDS === 0) {
      await engine.tick(now);
      if (until && (await until())) return t + SCRAPE_SECONDS;
    }
  }
  return undefined;
}

const alerts = async (slo: string) => (await api('GET', `/api/v1/alerts?slo=${slo}`)).body.items;
const hasFiring = (slo: string, severity: string) => async () =>
  (await alerts(slo)).some(
    (a: { state: string; severity: string }) => a.state === 'firing' && a.severity === severity,
  );
const allResolved = (slo: string) => async () =>
  (await alerts(slo)).every((a: { state: string }) => a.state === 'resolved');

/** Three days of healthy history (in 5-minute steps, to keep the test quick), then an hour at the real pace. */
async function warmUp(): Promise<void> {
  await run(3 * 86400, good, undefined, 300);
  await run(3600, good);
}

const good = (step: number) => sensor.record(RPS * step, 200, 0.02);
const failing = (step: number) => sensor.record(RPS * step, 503, 0.02);
const slow = (step: number) => sensor.record(RPS * step, 200, 0.5);

describe('the burn-rate engine on sensor data', () => {
  it('pages on 100 % errors within the workbook detection time plus a scrape and an evaluation, then resolves', async () => {
    expect(
      (await api('POST', '/api/v1/slos', errorRateSlo({ name: 'checkout-errors', window: '30d' }))).status,
    ).toBe(201);
    await warmUp(); // healthy traffic: nothing fires
    expect(await alerts('checkout-errors')).toEqual([]);

    const detectedAfter = await run(600, failing, hasFiring('checkout-errors', 'page'));
    // SRE workbook: at 100 % errors a 99.9 % SLO meets 14.4× over 1 h after 0.001 × 14.4 × 3600 s = 51.84 s.
    expect(detectedAfter).toBeDefined();
    expect(detectedAfter!).toBeGreaterThanOrEqual(45);
    expect(detectedAfter!).toBeLessThanOrEqual(52 + SCRAPE_SECONDS + EVAL_SECONDS);

    const [alert] = await alerts('checkout-errors');
    expect(alert.snapshot.burnRates[0]).toMatchObject({
      longWindow: '1h',
      shortWindow: '5m',
      threshold: 14.4,
      firing: true,
    });
    const status = (await api('GET', '/api/v1/slos/checkout-errors/status')).body;
    expect(status.status).toBe('page');
    expect(status.alerts.map((a: { id: string }) => a.id)).toEqual([alert.id]);

    const resolvedAfter = await run(8 * 3600, good, allResolved('checkout-errors'));
    expect(resolvedAfter).toBeDefined();
    const detail = (await api('GET', `/api/v1/alerts/${alert.id}`)).body;
    expect(detail.transitions.map((t: { kind: string }) => t.kind)).toEqual(['fired', 'resolved']);
    expect((await api('GET', '/api/v1/slos/checkout-errors/status')).body.status).toBe('ok');
  });

  it('pages a latency SLO when requests turn slow', async () => {
    const slo = latencySlo({
      name: 'checkout-fast',
      service: { namespace: 'shop', workload: 'checkout' },
      objective: 99,
      window: '30d',
    });
    expect((await api('POST', '/api/v1/slos', slo)).status).toBe(201);
    await warmUp();
    expect(await alerts('checkout-fast')).toEqual([]);
    const detectedAfter = await run(1200, slow, hasFiring('checkout-fast', 'page'));
    // 99 %: 14.4 × 0.01 × 3600 s = 518 s of only slow requests.
    expect(detectedAfter).toBeGreaterThanOrEqual(480);
    expect(detectedAfter).toBeLessThanOrEqual(518 + SCRAPE_SECONDS + EVAL_SECONDS);
  });

  it('budgets a P95 latency SLO in 1-minute timeslices and pages when slices turn bad', async () => {
    const slo = timesliceSlo({
      name: 'checkout-p95',
      service: { namespace: 'shop', workload: 'checkout' },
      window: '30d',
    });
    expect((await api('POST', '/api/v1/slos', slo)).status).toBe(201);
    // A day of traffic in every minute (5-minute steps would leave 4 minutes in 5 without a slice).
    await run(86400, good, undefined, 60);
    await run(3600, good);
    const healthy = (await api('GET', '/api/v1/slos/checkout-p95/status')).body;
    expect(healthy).toMatchObject({ status: 'ok', sli: { percent: 100, bad: 0 } });
    // The sli counts slices, not requests: every minute of the warm-up that held requests is one good slice.
    expect(healthy.sli.total).toBeGreaterThanOrEqual(1440 + 60 - 1);
    expect(healthy.sli.total).toBeLessThanOrEqual(1440 + 60 + 1);

    // 10 % of requests slow is a P95 of 0.5 s: every slice turns bad, though 90 % of requests stay fast.
    const mostlyFast = (step: number) => {
      sensor.record(RPS * step * 0.9, 200, 0.02);
      sensor.record(RPS * step * 0.1, 200, 0.5);
    };
    const detectedAfter = await run(1800, mostlyFast, hasFiring('checkout-p95', 'page'));
    // 99 % of slices good, 1 h window at 14.4×: 14.4 % of 60 slices = 8.64 bad minutes.
    expect(detectedAfter).toBeGreaterThanOrEqual(8 * 60);
    expect(detectedAfter).toBeLessThanOrEqual(10 * 60 + SCRAPE_SECONDS + EVAL_SECONDS);
    const series = (
      await api(
        'GET',
        '/api/v1/slos/checkout-p95/timeseries?step=60&from=' + (clock.now().getTime() / 1000 - 1800),
      )
    ).body;
    expect(series.requests.slice(-5)).toEqual([1, 1, 1, 1, 1]);
    expect(series.bad.slice(-5)).toEqual([1, 1, 1, 1, 1]);
  });

  it('raises no alert for a sensor restart (counter reset) or a sensor that disappears', async () => {
    expect(
      (await api('POST', '/api/v1/slos', errorRateSlo({ name: 'checkout-errors', window: '30d' }))).status,
    ).toBe(201);
    await run(1800, good);
    sensor.restart();
    await run(900, good);
    const port = sensor.port;
    await sensor.stop(); // the node is gone for half an hour
    await run(1800, () => undefined);
    // Nothing is known about the last half hour: stale, with since when, and no alert either way.
    expect((await api('GET', '/api/v1/slos/checkout-errors/status')).body).toMatchObject({
      status: 'stale',
      staleSince: expect.any(String),
    });
    await sensor.start(port);
    await run(900, good);
    expect(await alerts('checkout-errors')).toEqual([]);
    const status = (await api('GET', '/api/v1/slos/checkout-errors/status')).body;
    expect(status.status).toBe('ok');
    // Every request counted once: 1 h of traffic at 100 rps, the reset included, the outage not; the first scrape
    // of a new target is its baseline (those requests happened at unknown times).
    expect(status.sli.total).toBe(RPS * (1800 + 900 + 900 - SCRAPE_SECONDS));
    expect(status.sli.bad).toBe(0);
  });

  it('reports no data for an SLO without traffic and neither fires nor resolves it', async () => {
    expect(
      (
        await api(
          'POST',
          '/api/v1/slos',
          errorRateSlo({ name: 'quiet', service: { namespace: 'shop', workload: 'quiet' } }),
        )
      ).status,
    ).toBe(201);
    await run(600, good);
    const status = (await api('GET', '/api/v1/slos/quiet/status')).body;
    expect(status).toMatchObject({
      status: 'noData',
      sli: { percent: null, total: 0 },
      dataFreshness: { lastDataAt: null },
    });
    expect(await alerts('quiet')).toEqual([]);
  });
});
