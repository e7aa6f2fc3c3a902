/**
 * Error-rate SLOs on gRPC (issue 11): gRPC answers HTTP 200 for most failed calls, so the sensor exports the
 * call's grpc-status as `rpc_grpc_status_code` and Burnwatch judges gRPC series by it — through its own store
 * (scrape, engine, alert) and through PromQL on a real Prometheus. The sensor itself, with a real gRPC server, is
 * test/sensor/grpc-slo.test.ts.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { PromqlClient } from '../../src/sli/promql/promql-client.js';
import { windowQueries } from '../../src/sli/promql/promql-queries.js';
import { validateSloSpec } from '../../src/slo/domain/slo-schema.js';
import { ManualClock, apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { MetricsServer, startPrometheus } from '../support/metrics-servers.js';
import { SensorStandIn } from '../support/sensor-standin.js';

const OK = 0;
const NOT_FOUND = 5;
const UNAVAILABLE = 14;
const call = { serviceName: 'greeter', route: '/greeter.Greeter/SayHello', method: 'POST' };

const greeterSlo = (name: string, indicator: Record<string, unknown>) => ({
  name,
  service: { workload: 'greeter' },
  indicator: { type: 'errorRate', ...indicator },
  objective: 99,
  window: '1d',
});

describe('an error-rate SLO on gRPC series in the sensor store', () => {
  let sensor: SensorStandIn;
  let burnwatch: RunningBurnwatch;
  let clock: ManualClock;
  let api: ReturnType<typeof apiClient>;

  const minute = async () => {
    const now = clock.advance(60);
    const [scrape] = await burnwatch.app.get(SensorScraperService).scrapeAll(now, [sensor.url]);
    expect(scrape).toMatchObject({ ok: true });
    await burnwatch.app.get(SloEngine).tick(now);
  };
  const status = async (slo: string) => (await api('GET', `/api/v1/slos/${slo}/status`)).body;

  beforeEach(async () => {
    await resetDatabase();
    clock = new ManualClock(new Date('2026-12-01T10:00:00Z'));
    sensor = await new SensorStandIn().start();
    burnwatch = await startTestApp({}, clock);
    api = apiClient(burnwatch.url);
    for (const [name, indicator] of [
      ['greeter-errors', {}],
      ['greeter-listed', { grpcErrorCodes: ['NOT_FOUND', 'UNAVAILABLE'] }],
    ] as const)
      expect((await api('POST', '/api/v1/slos', greeterSlo(name, indicator))).status).toBe(201);
    sensor.record(1, 200, 0.01, { ...call, grpcStatusCode: OK });
    await minute(); // the target's baseline
  });
  afterEach(async () => {
    await burnwatch.close();
    await sensor.stop();
  });

  it('judges gRPC calls by grpc-status, the default codes or the listed ones, and plain HTTP by status', async () => {
    sensor.record(40, 200, 0.01, { ...call, grpcStatusCode: OK });
    sensor.record(10, 200, 0.01, { ...call, grpcStatusCode: NOT_FOUND });
    sensor.record(5, 200, 0.01, { ...call, grpcStatusCode: UNAVAILABLE });
    sensor.record(3, 503, 0.01, { serviceName: 'greeter', route: '/healthz' });
    await minute();
    expect((await status('greeter-errors')).sli).toMatchObject({ total: 58, bad: 8 });
    expect((await status('greeter-listed')).sli).toMatchObject({ total: 58, bad: 18 });
  });

  it('pages when the calls start failing, though every answer is HTTP 200', async () => {
    sensor.record(100, 200, 0.01, { ...call, grpcStatusCode: OK });
    await minute();
    expect((await status('greeter-errors')).status).toBe('ok');
    for (let i = 0; i < 3; i++) {
      sensor.record(30, 200, 0.01, { ...call, grpcStatusCode: UNAVAILABLE });
      await minute();
    }
    expect((await status('greeter-errors')).status).toBe('page');
    const alerts = (await api('GET', '/api/v1/alerts?slo=greeter-errors')).body.items;
    expect(alerts).toMatchObject([{ severity: 'page', state: 'firing' }]);
  });
});

describe('an error-rate SLO on gRPC series in a real Prometheus', () => {
  let sensor: SensorStandIn;
  let prometheus: MetricsServer;
  let client: PromqlClient;

  beforeAll(async () => {
    sensor = await new SensorStandIn().start();
    // The series exist at zero before the first scrape, so that the increase counts every call after it.
    for (const code of [OK, NOT_FOUND, UNAVAILABLE])
      sensor.record(0, 200, 0.01, { ...call, grpcStatusCode: code });
    sensor.record(0, 503, 0.01, { serviceName: 'greeter', route: '/healthz' });
    prometheus = await startPrometheus(sensor.url);
    client = new PromqlClient(prometheus.url);
    const scraped = async () =>
      ((await client
        .scalar('count(http_server_request_duration_seconds_count)', new Date())
        .catch(() => null)) ?? 0) >= 4;
    while (!(await scraped())) await new Promise((r) => setTimeout(r, 250));
    sensor.record(600, 200, 0.01, { ...call, grpcStatusCode: OK });
    sensor.record(200, 200, 0.01, { ...call, grpcStatusCode: NOT_FOUND });
    sensor.record(100, 200, 0.01, { ...call, grpcStatusCode: UNAVAILABLE });
    sensor.record(100, 503, 0.01, { serviceName: 'greeter', route: '/healthz' });
    const total = async () =>
      (await client
        .scalar('sum(http_server_request_duration_seconds_count)', new Date())
        .catch(() => null)) ?? 0;
    while ((await total()) < 1000) await new Promise((r) => setTimeout(r, 250));
  }, 120_000);
  afterAll(async () => {
    await prometheus?.stop();
    await sensor?.stop();
  });

  it.each([
    { name: 'the default codes', indicator: {}, bad: 200 },
    { name: 'NOT_FOUND listed', indicator: { grpcErrorCodes: ['NOT_FOUND', 'UNAVAILABLE'] }, bad: 400 },
  ])('counts the bad calls with $name, each once', async ({ indicator, bad }) => {
    const validated = validateSloSpec({
      ...greeterSlo('greeter', indicator),
      source: { type: 'prometheus' },
    });
    if (!validated.ok) throw new Error(JSON.stringify(validated.errors));
    const queries = windowQueries(validated.spec, 3600);
    const at = new Date();
    const counted = {
      total: await client.scalar(queries.total, at),
      bad: await client.scalar(queries.bad!, at),
    };
    // increase() extrapolates towards the edges of the range (the series began a few scrapes ago): more than the
    // 1,000 calls, never fewer; every series by the same factor, since one scrape reads them all.
    expect(counted.total!).toBeGreaterThanOrEqual(1000);
    expect(counted.total!).toBeLessThan(1300);
    expect(counted.bad! / counted.total!).toBeCloseTo(bad / 1000, 2);
  });
});
