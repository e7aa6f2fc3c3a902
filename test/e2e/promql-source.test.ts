import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SloEngine } from '../../src/alerts/engine/slo-engine.service.js';
import { PromqlClient } from '../../src/sli/promql/promql-client.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo, latencySlo } from '../support/fixtures.js';
import { MetricsServer, startPrometheus, startVictoriaMetrics } from '../support/metrics-servers.js';
import { SensorStandIn } from '../support/sensor-standin.js';

/** Sensor traffic every 100 ms: 10 % errors, 20 % slower than 300 ms. */
function driveTraffic(sensor: SensorStandIn): NodeJS.Timeout {
  return setInterval(() => {
    sensor.record(7, 200, 0.02);
    sensor.record(2, 200, 0.5);
    sensor.record(1, 503, 0.02);
  }, 100);
}

describe.each([
  { name: 'Prometheus', start: startPrometheus },
  { name: 'VictoriaMetrics', start: startVictoriaMetrics },
])('SLOs read through PromQL from a real $name', ({ start }) => {
  let sensor: SensorStandIn;
  let server: MetricsServer;
  let burnwatch: RunningBurnwatch;
  let traffic: NodeJS.Timeout;

  beforeAll(async () => {
    await resetDatabase();
    sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
    traffic = driveTraffic(sensor);
    server = await start(sensor.url);
    burnwatch = await startTestApp({ engine: { prometheusUrl: server.url } });
    // Wait until the store holds a few scrapes of the sensor.
    const client = new PromqlClient(server.url);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const seen = await client
        .scalar('sum(increase(http_server_request_duration_seconds_count[1m]))', new Date())
        .catch(() => null);
      if (seen !== null && seen > 100) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, 60_000);

  afterAll(async () => {
    clearInterval(traffic);
    await burnwatch?.close();
    await server?.stop();
    await sensor?.stop();
  });

  it('evaluates error-rate, latency and custom-ratio SLOs on the sensor metric and pages on the error burn', async () => {
    const api = apiClient(burnwatch.url);
    const source = { type: 'prometheus' };
    const created = [
      await api('POST', '/api/v1/slos', errorRateSlo({ name: 'errors', source })),
      await api(
        'POST',
        '/api/v1/slos',
        latencySlo({ name: 'latency', source, service: { namespace: 'shop', workload: 'checkout' } }),
      ),
      await api(
        'POST',
        '/api/v1/slos',
        errorRateSlo({
          name: 'ratio',
          source,
          indicator: {
            type: 'ratio',
            badQuery:
              'sum(increase(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[{{window}}]))',
            totalQuery: 'sum(increase(http_server_request_duration_seconds_count[{{window}}]))',
          },
        }),
      ),
    ];
    expect(created.map((r) => r.status)).toEqual([201, 201, 201]);

    await burnwatch.app.get(SloEngine).tick(new Date());
    const status = async (name: string) => (await api('GET', `/api/v1/slos/${name}/status`)).body;
    const errors = await status('errors');
    expect(errors.sli.percent).toBeGreaterThan(88);
    expect(errors.sli.percent).toBeLessThan(92);
    expect(errors.status).toBe('page');
    const latency = await status('latency');
    expect(latency.sli.percent).toBeGreaterThan(77);
    expect(latency.sli.percent).toBeLessThan(83);
    const ratio = await status('ratio');
    expect(ratio.sli.percent).toBeCloseTo(errors.sli.percent, 0);

    const firing = (await api('GET', '/api/v1/alerts?state=firing')).body.items
      .map((a: { slo: string }) => a.slo)
      .sort();
    expect(firing).toEqual(['errors', 'latency', 'ratio']);
  });

  it('leaves a budget correction out of a PromQL SLO, asking Prometheus for the corrected range', async () => {
    const api = apiClient(burnwatch.url);
    const name = 'corrected-errors';
    expect(
      (await api('POST', '/api/v1/slos', errorRateSlo({ name, source: { type: 'prometheus' } }))).status,
    ).toBe(201);
    const correction = await api('POST', `/api/v1/slos/${name}/corrections`, {
      start: new Date(Date.now() - 3600_000).toISOString(),
      end: new Date(Date.now() + 3600_000).toISOString(),
      reason: 'the whole test run is a load test',
    });
    expect(correction.status).toBe(201);
    await burnwatch.app.get(SloEngine).tick(new Date());
    const status = (await api('GET', `/api/v1/slos/${name}/status`)).body;
    // Every sample lies inside the correction: nothing is left to judge, nothing pages.
    expect(status.corrections).toMatchObject({ activeNow: true });
    expect(status.sli.total).toBeLessThan(1);
    expect(status.status).toBe('noData');
    expect((await api('GET', `/api/v1/alerts?slo=${name}&state=firing`)).body.items).toEqual([]);
  });

  it('refuses a PromQL SLO with timeslices, naming the field', async () => {
    const response = await apiClient(burnwatch.url)(
      'POST',
      '/api/v1/slos',
      latencySlo({
        name: 'sliced',
        source: { type: 'prometheus' },
        budgetingMethod: 'timeslices',
        timeslice: '1m',
        indicator: { type: 'latency', thresholdMs: 300, percentile: 95 },
      }),
    );
    expect(response.status).toBe(400);
    expect(response.body.errors).toContainEqual({
      field: 'budgetingMethod',
      message: expect.stringMatching(/Prometheus source/),
    });
  });
});

describe('a PromQL SLO without BURNWATCH_PROMETHEUS_URL', () => {
  it('is refused with the variable named', async () => {
    const burnwatch = await startTestApp();
    try {
      const response = await apiClient(burnwatch.url)(
        'POST',
        '/api/v1/slos',
        errorRateSlo({ name: 'no-prom', source: { type: 'prometheus' } }),
      );
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { field: 'source.type', message: expect.stringContaining('BURNWATCH_PROMETHEUS_URL') },
      ]);
    } finally {
      await burnwatch.close();
    }
  });
});
