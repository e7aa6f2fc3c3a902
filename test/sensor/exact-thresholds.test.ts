/**
 * Exact latency thresholds end to end below the service (issue 12 item 1): a real Node server answers requests on
 * both sides of 350 ms, all inside the sensor's 300–400 ms bucket; Burnwatch's scrape asks the real sensor for
 * 350 ms, and Burnwatch's own reading (histogramsFromCompact, countDeltas) and counting (badEventsOf) give a
 * 350 ms SLO the exact bad count, not approximate.
 */
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPACT_MEDIA_TYPE,
  THRESHOLDS_HEADER,
  countDeltas,
  histogramsFromCompact,
  type CompactReading,
  type HistogramDelta,
} from '../../src/integrations/metrics/sensor-histograms.js';
import { badEventsOf } from '../../src/slo/domain/series-match.js';
import { request } from './support/client.js';
import { startNodeServer, type TestServer } from './support/servers.js';
import { startSensor, waitFor, type RunningSensor } from './support/sensor.js';

let sensor: RunningSensor;
let server: TestServer;
const service = 'bw-exact-350';

beforeAll(async () => {
  sensor = await startSensor();
  server = await startNodeServer(service);
});
afterAll(async () => {
  await server?.stop();
  await sensor?.stop();
});

/** A scrape as Burnwatch's scraper sends it. */
async function burnwatchScrape(thresholdsMs: number[]): Promise<CompactReading> {
  const res = await fetch(`http://127.0.0.1:${sensor.port}/metrics`, {
    headers: {
      accept: `${COMPACT_MEDIA_TYPE}, text/plain;q=0.5`,
      [THRESHOLDS_HEADER]: thresholdsMs.join(','),
    },
  });
  expect(res.headers.get('content-type')).toBe(COMPACT_MEDIA_TYPE);
  return histogramsFromCompact(await res.json());
}

/** Requests in parallel, each timed by the client (an upper bound of what the sensor measures). */
async function timed(path: string, n: number): Promise<number[]> {
  return Promise.all(
    Array.from({ length: n }, async () => {
      const start = performance.now();
      await request(server.port, path);
      return performance.now() - start;
    }),
  );
}

describe('a 350 ms latency SLO on a real server', () => {
  it('counts the requests above 350 ms exactly, with approximate: false', async () => {
    const route = { http_route: '/checkout' };
    const first = await burnwatchScrape([350]); // registers 350 ms: counted from here on

    // Server-side the sensor measures at least the handler's delay and at most what the client waited.
    const fast = await timed('/checkout?delay=0', 20);
    const under = await timed('/checkout?delay=310', 6);
    await timed('/checkout?delay=390', 4);
    await timed('/checkout?delay=600', 2);
    expect(Math.max(...fast, ...under)).toBeLessThan(350);
    await waitFor(
      '32 requests on /checkout',
      async () => (await sensor.count({ service_name: service, ...route })) >= 32,
    );

    const second = await burnwatchScrape([350]);
    expect([...second.thresholds.keys()]).toEqual([350]);
    const previous = countDeltas(undefined, first.histograms, first.startTime, first.thresholds).next;
    const { deltas } = countDeltas(previous, second.histograms, second.startTime, second.thresholds);
    const checkout = deltas.filter((d) => d.labels.serviceName === service && d.labels.route === '/checkout');
    expect(checkout.map((d) => d.bounds)).toEqual([expect.arrayContaining([0.3, 0.35, 0.4])]);

    const latency350 = { type: 'latency' as const, thresholdMs: 350 };
    const count = (list: HistogramDelta[]) =>
      list.map((d) =>
        badEventsOf(latency350, { statusCode: d.labels.statusCode, bounds: d.bounds }, d.requests, d.buckets),
      );
    expect(checkout.reduce((n, d) => n + d.requests, 0)).toBe(32);
    expect(count(checkout)).toEqual([{ bad: 6, approximate: false }]);

    // Without the exact count, the same requests are interpolated inside 300–400 ms and flagged.
    const withoutExact = countDeltas(
      countDeltas(undefined, first.histograms, first.startTime).next,
      second.histograms,
      second.startTime,
    ).deltas.filter((d) => d.labels.serviceName === service && d.labels.route === '/checkout');
    expect(count(withoutExact)[0]).toMatchObject({ approximate: true });
  });
});
