import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunningBurnwatch } from '../../src/app.js';
import { SensorScraperService } from '../../src/integrations/metrics/sensor-scraper.service.js';
import { PromqlClient } from '../../src/sli/promql/promql-client.js';
import { SLI_SOURCES, SliRequest, SliSources } from '../../src/sli/sli-source.js';
import { SloService } from '../../src/slo/slo.service.js';
import type { SloSpec } from '../../src/slo/domain/slo.js';
import { apiClient, resetDatabase, startTestApp } from '../support/app.js';
import { errorRateSlo } from '../support/fixtures.js';
import { MetricsServer, startPrometheus, startVictoriaMetrics } from '../support/metrics-servers.js';
import { SensorStandIn } from '../support/sensor-standin.js';

// The contract of the SLI port (src/sli/sli-source.ts) that the engine relies on, held by both implementations:
// the sensor store (fed by the service's own scrapes of a sensor) and PromQL (a real Prometheus or VictoriaMetrics
// scraping the same sensor). One stand-in sensor serves 10 % errors to both, for a few seconds.
const STALE_AFTER_MINUTES = 10;

describe.each([
  { name: 'Prometheus', start: startPrometheus },
  { name: 'VictoriaMetrics', start: startVictoriaMetrics },
])('the SLI port, sensor store and PromQL on a real $name', ({ start }) => {
  let sensor: SensorStandIn;
  let server: MetricsServer;
  let burnwatch: RunningBurnwatch;
  let traffic: NodeJS.Timeout;
  let sources: SliSources;
  const specs = new Map<string, SloSpec>();

  beforeAll(async () => {
    await resetDatabase();
    sensor = await new SensorStandIn({ namespace: 'shop', workload: 'checkout' }).start();
    traffic = setInterval(() => {
      sensor.record(9, 200, 0.02);
      sensor.record(1, 503, 0.02);
    }, 100);
    server = await start(sensor.url);
    burnwatch = await startTestApp({ engine: { prometheusUrl: server.url } });
    const scraper = burnwatch.app.get(SensorScraperService);
    await scraper.scrapeAll(new Date(), [sensor.url]);
    // Wait until the metrics server holds a few scrapes of the sensor.
    const client = new PromqlClient(server.url);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const seen = await client
        .scalar('sum(increase(http_server_request_duration_seconds_count[1m]))', new Date())
        .catch(() => null);
      if (seen !== null && seen > 100) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // Traffic stops, so that both stores hold the same events however late each read comes: the service scrapes
    // the final counters, and the metrics server has them once two reads two scrapes apart agree.
    clearInterval(traffic);
    await scraper.scrapeAll(new Date(), [sensor.url]);
    let previous: number | null = null;
    while (Date.now() < deadline + 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const seen = await client.scalar('sum(http_server_request_duration_seconds_count)', new Date());
      if (seen !== null && seen === previous) break;
      previous = seen;
    }
    const api = apiClient(burnwatch.url);
    for (const type of ['sensor', 'prometheus'] as const) {
      for (const workload of ['checkout', 'silent']) {
        const name = `${type}-${workload}`;
        const body = errorRateSlo({
          name,
          window: '1d',
          source: { type },
          service: { namespace: 'shop', workload },
        });
        expect((await api('POST', '/api/v1/slos', body)).status).toBe(201);
        specs.set(name, await burnwatch.app.get(SloService).getSpec(name));
      }
    }
    sources = burnwatch.app.get(SLI_SOURCES);
  }, 90_000);

  afterAll(async () => {
    clearInterval(traffic);
    await burnwatch?.close();
    await server?.stop();
    await sensor?.stop();
  });

  const request = (now: Date, nowMinute: number): SliRequest => ({
    now,
    historyMinutes: 1440,
    windowMinutes: [60, 5],
    staleAfterMinutes: STALE_AFTER_MINUTES,
    excludedMinutes: [
      { fromMinute: nowMinute - 12, toMinute: nowMinute + 1 },
      { fromMinute: nowMinute - 600, toMinute: nowMinute - 590 },
    ],
  });

  /** Tracks the SLO on its source, refreshes it and reads it at now. */
  async function read(name: string) {
    const spec = specs.get(name)!;
    const source = sources[spec.source.type];
    source.track(spec);
    const now = new Date();
    await source.refresh(now);
    const nowMinute = Math.floor(now.getTime() / 60_000);
    return { nowMinute, source, reading: await source.read(spec, request(now, nowMinute)) };
  }

  it.each(['sensor', 'prometheus'])(
    '%s: sums the window to the served events with the served error share, fresh, exact',
    async (type) => {
      const { nowMinute, source, reading } = await read(`${type}-checkout`);
      const end = nowMinute + 1;
      for (const length of [1440, 60, 5]) {
        const counts = reading.sum(end - length, end);
        expect(counts.total).toBeGreaterThan(100);
        expect(counts.bad / counts.total).toBeGreaterThan(0.05);
        expect(counts.bad / counts.total).toBeLessThan(0.2);
        expect(counts.minutesWithData).toBeGreaterThan(0);
      }
      expect(reading.lastDataMinute).not.toBeNull();
      expect(reading.lastDataMinute!).toBeGreaterThanOrEqual(nowMinute - STALE_AFTER_MINUTES);
      expect(reading.lastDataMinute!).toBeLessThanOrEqual(nowMinute);
      expect(source.lastApproximateMinute(`${type}-checkout`)).toBeUndefined();
    },
  );

  it.each(['sensor', 'prometheus'])(
    '%s: answers an excluded range inside a window on its own: the recent one holds the events, an old one none',
    async (type) => {
      const { nowMinute, reading } = await read(`${type}-checkout`);
      const whole = reading.sum(nowMinute + 1 - 1440, nowMinute + 1);
      const recent = reading.sum(nowMinute - 12, nowMinute + 1);
      expect(recent.total).toBeGreaterThan(100);
      expect(recent.total).toBeLessThanOrEqual(whole.total * 1.01);
      expect(recent.bad).toBeLessThanOrEqual(recent.total);
      expect(reading.sum(nowMinute - 600, nowMinute - 590)).toMatchObject({ total: 0, bad: 0 });
    },
  );

  it.each(['sensor', 'prometheus'])(
    '%s: says there is no data, and sums nothing, for a workload that never reported',
    async (type) => {
      const { nowMinute, reading } = await read(`${type}-silent`);
      expect(reading.lastDataMinute).toBeNull();
      expect(reading.sum(nowMinute + 1 - 1440, nowMinute + 1)).toMatchObject({ total: 0, bad: 0 });
    },
  );
});
