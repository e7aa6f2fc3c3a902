import { describe, expect, it } from 'vitest';
import { fromBucketCounts } from '../../slo/domain/latency.js';
import {
  CoveringSloSpec,
  ObservedMinute,
  ObservedSeries,
  latencyThresholdMs,
  suggestSlos,
  summarizeWorkloads,
} from './workloads.js';

const BOUNDS = [0.05, 0.1, 0.25, 0.5, 1];
/** 12:00:30 UTC: the recent span is 11:56 to now, 4.5 minutes. */
const NOW = new Date('2026-11-02T12:00:30Z');
const NOW_MINUTE = Math.floor(NOW.getTime() / 60_000);

function series(id: number, overrides: Partial<ObservedSeries> = {}): ObservedSeries {
  return {
    id,
    namespace: 'shop',
    workload: 'checkout',
    workloadKind: 'Deployment',
    serviceName: 'checkout',
    imageName: '',
    imageId: '',
    method: 'GET',
    route: '/api/cart',
    statusCode: 200,
    bounds: BOUNDS,
    ...overrides,
  };
}

/** `requests` in one bucket (index into BOUNDS, 5 = +Inf), `ago` minutes before the current one. */
function row(seriesId: number, ago: number, requests: number, bucket = 0): ObservedMinute {
  const buckets = new Array(BOUNDS.length + 1).fill(0);
  buckets[bucket] = requests;
  return { seriesId, minute: NOW_MINUTE - ago, requests, buckets };
}

const summarize = (s: ObservedSeries[], minutes: ObservedMinute[], slos: CoveringSloSpec[] = []) =>
  summarizeWorkloads({ series: s, minutes, slos, now: NOW }).items;

describe('workloads from sensor series', () => {
  it.each([
    {
      name: 'rates divide the last five minutes by the time elapsed in them, the current minute included',
      series: [series(1)],
      minutes: [row(1, 0, 90), row(1, 4, 90), row(1, 5, 1000)],
      requestsPerMinute: 40,
      errorPercent: 0,
    },
    {
      name: 'the error share counts 5xx answers only, over all requests',
      series: [series(1), series(2, { statusCode: 503 }), series(3, { statusCode: 404 })],
      minutes: [row(1, 1, 80), row(2, 1, 9), row(3, 1, 1)],
      requestsPerMinute: 20,
      errorPercent: 10,
    },
    {
      name: 'a workload seen within the hour but not in the last five minutes has no rate and no error share',
      series: [series(1)],
      minutes: [row(1, 30, 100)],
      requestsPerMinute: 0,
      errorPercent: null,
    },
    {
      name: 'the span starts one scrape interval before its first minute, when those requests happened',
      series: [series(1)],
      minutes: [row(1, 0, 90), row(1, 4, 90)],
      scrapeIntervalSeconds: 30,
      requestsPerMinute: 36,
      errorPercent: 0,
    },
  ])('$name', ({ series: s, minutes, requestsPerMinute, errorPercent, scrapeIntervalSeconds }) => {
    const [workload] = summarizeWorkloads({
      series: s,
      minutes,
      slos: [],
      now: NOW,
      scrapeIntervalSeconds,
    }).items;
    expect(workload!.requestsPerMinute).toBeCloseTo(requestsPerMinute, 6);
    expect(workload!.errorPercent).toBe(errorPercent);
  });

  it.each([
    {
      name: 'pods, status codes and routes of one Deployment are one workload',
      series: [series(1), series(2, { statusCode: 500 }), series(3, { route: '/api/pay', method: 'POST' })],
      expected: [{ namespace: 'shop', workload: 'checkout', kind: 'Deployment' }],
    },
    {
      name: 'outside Kubernetes the process service name is the workload, without namespace',
      series: [series(1, { namespace: '', workload: '', workloadKind: '', serviceName: 'nginx' })],
      expected: [{ namespace: null, workload: 'nginx', kind: null }],
    },
    {
      name: 'the same name in two namespaces is two workloads',
      series: [series(1), series(2, { namespace: 'staging' })],
      expected: [
        { namespace: 'shop', workload: 'checkout' },
        { namespace: 'staging', workload: 'checkout' },
      ],
    },
    {
      name: 'a series without any name is left out',
      series: [series(1, { namespace: '', workload: '', serviceName: '' })],
      expected: [],
    },
  ])('$name', ({ series: s, expected }) => {
    const workloads = summarize(
      s,
      s.map((x) => row(x.id, 1, 10)),
    );
    expect(workloads).toMatchObject(expected);
    expect(workloads).toHaveLength(expected.length);
  });

  it('lists only what had a request in the last hour, busiest first', () => {
    const s = [series(1), series(2, { workload: 'cart' }), series(3, { workload: 'gone' })];
    const names = summarize(s, [row(1, 1, 10), row(2, 1, 50), row(3, 60, 100)]).map((w) => w.workload);
    expect(names).toEqual(['cart', 'checkout']);
  });

  it.each([
    {
      name: 'P95 interpolates inside the bucket that holds it',
      buckets: [[0, 100]] as [number, number][],
      p95Ms: 47.5,
    },
    {
      name: 'P95 across buckets: 90 fast and 10 slow requests put it halfway into the slow bucket',
      buckets: [
        [0, 90],
        [3, 10],
      ] as [number, number][],
      p95Ms: 375,
    },
    {
      name: 'a P95 beyond the highest bound is reported as that bound',
      buckets: [[5, 100]] as [number, number][],
      p95Ms: 1000,
    },
  ])('$name (approximate)', ({ buckets, p95Ms }) => {
    const s = [series(1)];
    const minutes = buckets.map(([bucket, n]) => row(1, 1, n, bucket));
    const [workload] = summarize(s, minutes);
    expect(workload!.latency.p95Ms).toBeCloseTo(p95Ms, 6);
    expect(workload!.latency.approximate).toBe(true);
  });

  it('summarizes each route with its own rate, error share and P95', () => {
    const s = [series(1), series(2, { statusCode: 502 }), series(3, { route: '/api/pay', method: 'POST' })];
    const [workload] = summarize(s, [row(1, 1, 27), row(2, 1, 9), row(3, 0, 9, 2)]);
    expect(workload!.routes).toMatchObject([
      { method: 'GET', route: '/api/cart', requestsPerMinute: 8, errorPercent: 25 },
      { method: 'POST', route: '/api/pay', requestsPerMinute: 2, errorPercent: 0 },
    ]);
    expect(workload!.routes[1]!.latency.p95Ms).toBeCloseTo(242.5, 6);
    expect(workload!.routes[1]!.lastSeenAt).toBe('2026-11-02T12:00:00.000Z');
  });

  it('lists the image digests seen, the most recent first, and when each was last seen', () => {
    const old = { imageName: 'registry/shop/checkout', imageId: 'sha256:aaa' };
    const current = { imageName: 'registry/shop/checkout', imageId: 'sha256:bbb' };
    const s = [series(1, old), series(2, current), series(3)];
    const [workload] = summarize(s, [row(1, 20, 5), row(1, 10, 5), row(2, 2, 5), row(3, 1, 5)]);
    expect(workload!.images).toEqual([
      { name: 'registry/shop/checkout', digest: 'sha256:bbb', lastSeenAt: '2026-11-02T11:58:00.000Z' },
      { name: 'registry/shop/checkout', digest: 'sha256:aaa', lastSeenAt: '2026-11-02T11:50:00.000Z' },
    ]);
    expect(workload!.lastSeenAt).toBe('2026-11-02T11:59:00.000Z');
  });

  it.each([
    {
      name: 'an SLO on the workload covers it',
      slo: { namespace: 'shop', workload: 'checkout' },
      covers: true,
    },
    {
      name: 'an SLO on one of its routes covers it, and says which',
      slo: { namespace: 'shop', workload: 'checkout', route: '/api/cart', method: 'GET' as const },
      covers: true,
    },
    {
      name: 'an SLO on a route it does not serve does not',
      slo: { namespace: 'shop', workload: 'checkout', route: '/nowhere' },
      covers: false,
    },
    {
      name: 'an SLO on the same name in another namespace does not',
      slo: { namespace: 'staging', workload: 'checkout' },
      covers: false,
    },
  ])('$name', ({ slo, covers }) => {
    const spec: CoveringSloSpec = {
      name: 'checkout-errors',
      service: slo,
      indicator: { type: 'errorRate', errorStatus: '5xx' },
    };
    const [workload] = summarize([series(1)], [row(1, 1, 10)], [spec]);
    expect(workload!.slos).toEqual(
      covers
        ? [{ name: 'checkout-errors', indicator: 'errorRate', route: slo.route, method: slo.method }]
        : [],
    );
  });

  it('says over which span rates are computed and since when a workload counts as reported', () => {
    const view = summarizeWorkloads({ series: [], minutes: [], slos: [], now: NOW });
    expect(view).toEqual({
      items: [],
      recent: { from: '2026-11-02T11:56:00.000Z', to: '2026-11-02T12:00:30.000Z' },
      seenSince: '2026-11-02T11:01:00.000Z',
    });
  });
});

describe('SLOs suggested for a workload', () => {
  it.each([
    {
      name: 'a P99 inside a bucket rounds up to its upper bound',
      counts: [0, 50, 50, 0, 0, 0],
      thresholdMs: 250,
    },
    { name: 'a P99 on a bound stays on it', counts: [99, 1, 0, 0, 0, 0], thresholdMs: 50 },
    { name: 'a P99 beyond the highest bound is that bound', counts: [0, 0, 0, 0, 0, 10], thresholdMs: 1000 },
    { name: 'no requests, no threshold', counts: [0, 0, 0, 0, 0, 0], thresholdMs: null },
  ])('$name', ({ counts, thresholdMs }) => {
    expect(latencyThresholdMs(fromBucketCounts(BOUNDS, counts))).toBe(thresholdMs);
  });

  it.each([
    {
      name: 'in Kubernetes: errors at 99.9 % over 30 d and latency at 99 % near the P99, on namespace and workload',
      workload: { namespace: 'shop', workload: 'checkout' },
      expected: [
        {
          name: 'checkout-errors',
          description: 'shop/checkout answers without server errors',
          service: { namespace: 'shop', workload: 'checkout' },
          indicator: { type: 'errorRate', errorStatus: '5xx' },
          objective: 99.9,
          window: '30d',
        },
        {
          name: 'checkout-latency',
          description: 'shop/checkout answers within 250 ms',
          service: { namespace: 'shop', workload: 'checkout' },
          indicator: { type: 'latency', thresholdMs: 250 },
          objective: 99,
          window: '30d',
        },
      ],
    },
    {
      name: 'outside Kubernetes: on the service name, with a name made a DNS label',
      workload: { namespace: null, workload: 'Python3.11_App' },
      expected: [
        { name: 'python3-11-app-errors', service: { workload: 'Python3.11_App' } },
        { name: 'python3-11-app-latency', service: { workload: 'Python3.11_App' } },
      ],
    },
  ])('$name', ({ workload, expected }) => {
    const suggested = suggestSlos(workload, fromBucketCounts(BOUNDS, [0, 50, 50, 0, 0, 0]));
    expect(suggested).toMatchObject(expected);
    expect(suggested.map((s) => s.service)).toEqual(expected.map((e) => e.service));
  });

  it('keeps a long workload name within 63 characters', () => {
    const [errors] = suggestSlos({ namespace: 'shop', workload: 'x'.repeat(80) }, null);
    expect(errors!.name).toBe(`${'x'.repeat(56)}-errors`);
    expect(errors!.name.length).toBeLessThanOrEqual(63);
  });

  it('suggests latency from the last hour even when the last five minutes were quiet', () => {
    const [workload] = summarize([series(1)], [row(1, 30, 100, 1)]);
    expect(workload!.suggestedSlos.map((s) => s.indicator)).toEqual([
      { type: 'errorRate', errorStatus: '5xx' },
      { type: 'latency', thresholdMs: 100 },
    ]);
  });
});
