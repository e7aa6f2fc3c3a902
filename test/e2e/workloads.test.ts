import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { SensorStandIn } from '../support/sensor-standin.js';

const SCRAPE_SECONDS = 15;
const START = new Date('2026-11-02T08:00:00Z');
const OLD_IMAGE = 'sha256:' + 'a'.repeat(64);
const NEW_IMAGE = 'sha256:' + 'b'.repeat(64);

let burnwatch: RunningBurnwatch;
let api: ReturnType<typeof apiClient>;
let clock: ManualClock;
let sensor: SensorStandIn;
let scraper: SensorScraperService;

beforeEach(async () => {
  await resetDatabase();
  clock = new ManualClock(START);
  burnwatch = await startTestApp({ engine: { scrapeIntervalSeconds: SCRAPE_SECONDS } }, clock);
  api = apiClient(burnwatch.url);
  scraper = burnwatch.app.get(SensorScraperService);
  sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
  await scraper.scrapeAll(clock.now(), [sensor.url]); // the first scrape of a target is its baseline
});
afterEach(async () => {
  await sensor.stop();
  await burnwatch.close();
});

/** `steps` scrapes 15 s apart, with `traffic` recorded by the sensor before each. */
async function run(steps: number, traffic: () => void): Promise<void> {
  for (let i = 0; i < steps; i++) {
    traffic();
    await scraper.scrapeAll(clock.advance(SCRAPE_SECONDS), [sensor.url]);
  }
}

/** Per 15 s: checkout GET /api/cart 27 fast and 1 slow, POST /api/pay 1 failure; nginx outside Kubernetes 15 fast. */
function traffic(imageId: string) {
  return () => {
    sensor.record(27, 200, 0.02, { route: '/api/cart', imageId });
    sensor.record(1, 200, 0.45, { route: '/api/cart', imageId });
    sensor.record(1, 503, 0.02, { route: '/api/pay', method: 'POST', imageId });
    sensor.record(15, 200, 0.004, { namespace: '', workload: '', serviceName: 'nginx' });
  };
}

describe('GET /api/v1/workloads on sensor data', () => {
  it('lists what the sensor reports with rates, 5xx share, P95, images and covering SLOs, and its suggestions are valid SLOs', async () => {
    await run(20, traffic(OLD_IMAGE)); // 08:00 to 08:05
    await run(40, traffic(NEW_IMAGE)); // a rollout, then ten more minutes: now 08:15
    expect(
      (
        await api(
          'POST',
          '/api/v1/slos',
          errorRateSlo({
            name: 'pay-errors',
            service: { namespace: 'shop', workload: 'checkout', route: '/api/pay' },
          }),
        )
      ).status,
    ).toBe(201);

    const { status, body } = await api('GET', '/api/v1/workloads');
    expect(status).toBe(200);
    expect(body.recent).toEqual({ from: '2026-11-02T08:10:45.000Z', to: '2026-11-02T08:15:00.000Z' });
    expect(body.items.map((w: any) => [w.namespace, w.workload])).toEqual([
      ['shop', 'checkout'],
      [null, 'nginx'],
    ]);
    const [checkout, nginx] = body.items;
    // 29 requests per 15 s is 116 per minute; 4 of them fail.
    expect(checkout).toMatchObject({
      kind: 'Deployment',
      lastSeenAt: '2026-11-02T08:15:00.000Z',
      requestsPerMinute: 116,
      latency: { approximate: true },
      images: [
        { digest: NEW_IMAGE, lastSeenAt: '2026-11-02T08:15:00.000Z' },
        { digest: OLD_IMAGE, lastSeenAt: '2026-11-02T08:05:00.000Z' },
      ],
      slos: [{ name: 'pay-errors', indicator: 'errorRate', route: '/api/pay' }],
    });
    expect(checkout.errorPercent).toBeCloseTo((4 / 116) * 100, 3);
    // P95 of 1 slow in 29: rank 110.2 of 116 falls in the 10-25 ms bucket (112 fast, 4 failures at 20 ms too).
    expect(checkout.latency.p95Ms).toBeGreaterThan(10);
    expect(checkout.latency.p95Ms).toBeLessThanOrEqual(25);
    expect(checkout.routes).toMatchObject([
      { method: 'GET', route: '/api/cart', requestsPerMinute: 112, errorPercent: 0 },
      { method: 'POST', route: '/api/pay', requestsPerMinute: 4, errorPercent: 100 },
    ]);
    expect(nginx).toMatchObject({ requestsPerMinute: 60, errorPercent: 0, images: [], slos: [], kind: null });
    expect(nginx.latency.p95Ms).toBeLessThanOrEqual(5);

    // The suggestions: errors at 99.9 % over 30 d, latency near the P99 (the 1-in-29 slow requests: 0.5 s bound).
    expect(checkout.suggestedSlos).toEqual([
      expect.objectContaining({
        name: 'checkout-errors',
        service: { namespace: 'shop', workload: 'checkout' },
        indicator: { type: 'errorRate', errorStatus: '5xx' },
        objective: 99.9,
        window: '30d',
      }),
      expect.objectContaining({
        name: 'checkout-latency',
        indicator: { type: 'latency', thresholdMs: 500 },
        objective: 99,
      }),
    ]);
    for (const suggestion of [...checkout.suggestedSlos, ...nginx.suggestedSlos]) {
      const created = await api('POST', '/api/v1/slos', suggestion);
      expect(created.status, JSON.stringify(created.body)).toBe(201);
    }
    const after = (await api('GET', '/api/v1/workloads')).body.items;
    expect(after[0].slos.map((s: any) => s.name)).toEqual([
      'checkout-errors',
      'checkout-latency',
      'pay-errors',
    ]);
    expect(after[1].slos.map((s: any) => s.name)).toEqual(['nginx-errors', 'nginx-latency']);
  });

  it('drops a workload an hour after its last request, and is empty before any', async () => {
    expect((await api('GET', '/api/v1/workloads')).body.items).toEqual([]);
    await run(4, traffic(OLD_IMAGE));
    clock.advance(30 * 60);
    const quiet = (await api('GET', '/api/v1/workloads')).body.items;
    expect(quiet.map((w: any) => [w.workload, w.requestsPerMinute, w.errorPercent])).toEqual([
      ['nginx', 0, null], // equally quiet: by namespace (none first), then name
      ['checkout', 0, null],
    ]);
    clock.advance(30 * 60);
    expect((await api('GET', '/api/v1/workloads')).body.items).toEqual([]);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await api('GET', '/api/docs-json')).body;
    expect(doc.paths['/api/v1/workloads'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Workloads',
    });
    expect(Object.keys(doc.components.schemas.Workload.properties)).toEqual(
      expect.arrayContaining([
        'namespace',
        'workload',
        'routes',
        'requestsPerMinute',
        'errorPercent',
        'latency',
        'images',
        'slos',
      ]),
    );
  });
});
